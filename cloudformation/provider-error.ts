import type { ErrorCode } from "../core/errors.ts";

/** The codes a platform-owned dynamic provider may raise through the engine (provisioner/map-pulumi-error.ts reads them). */
export const PROVIDER_ERROR_CODES = [
  "CLOUDFORMATION_FAILED",
  "CLOUDFORMATION_DELETE_FAILED",
] as const satisfies readonly ErrorCode[];
export type ProviderErrorCode = (typeof PROVIDER_ERROR_CODES)[number];

/**
 * An error a dynamic provider throws: the engine passes only its message on, so the code travels
 * in it, as `stackfork-error[CODE] message`, and is read back once, in the provisioner.
 */
export function providerError(code: ProviderErrorCode, message: string): Error {
  return new Error(`stackfork-error[${code}] ${message}`);
}

/** The code and message of a provider error found in the engine's output, if any. */
export function readProviderError(text: string): { code: ProviderErrorCode; message: string } | undefined {
  const match =
    /stackfork-error\[([A-Z_]+)\] ([^\n]*(?:\n(?!\s*(?:error|warning|Diagnostics|Resources|Duration):)[^\n]*)*)/.exec(
      text,
    );
  const code = match?.[1] as ProviderErrorCode | undefined;
  if (!match || !code || !PROVIDER_ERROR_CODES.includes(code)) return undefined;
  return { code, message: (match[2] ?? "").trim() };
}
