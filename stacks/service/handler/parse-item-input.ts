import * as z from "zod";
import { RequestError } from "./request-error.ts";

const itemInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    note: z.string().max(2000).optional(),
  })
  .strict();

export type ItemInput = z.infer<typeof itemInputSchema>;

/** What POST and PUT accept: `{ name, note? }`, nothing else; every problem in one message. */
export function parseItemInput(body: unknown): ItemInput {
  const parsed = itemInputSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`);
  throw new RequestError(400, "INVALID_INPUT", problems.join("; "));
}
