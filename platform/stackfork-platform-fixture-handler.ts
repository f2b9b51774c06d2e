// A stand-in entry point for the zip functions in platform/stackfork-platform.test.ts: bundling the
// real handlers is tested apart, so that the program's test does not depend on their code.
export async function handler(): Promise<{ statusCode: number }> {
  return { statusCode: 204 };
}
