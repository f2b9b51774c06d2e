/** DynamoDB's TTL attribute is in epoch seconds; rounded up so an item never expires early. */
export function epochSeconds(ms: number): number {
  return Math.ceil(ms / 1000);
}
