import type { FastifyInstance } from "fastify";
import { type EnvironmentActions, presignedUploadRequired } from "./create-environment-actions.ts";

export interface ApiScopeDeps {
  actions: EnvironmentActions;
  /** Largest upload body (compressed). */
  uploadMaxBytes: number;
}

/** How the API scope reads bodies and writes answers. */
export function configureApiScope(api: FastifyInstance, deps: ApiScopeDeps): void {
  // Response schemas document; JSON.stringify serializes, so no field is ever dropped by them.
  api.setSerializerCompiler(() => (data) => JSON.stringify(data));
  // Only JSON and, for uploads, gzip: a form post or plain text here is a mistake (415).
  api.removeAllContentTypeParsers();
  api.addContentTypeParser("application/json", { parseAs: "string" }, api.getDefaultJsonParser("error", "error"));
  if (deps.actions.uploadsTo === "bucket") {
    // Refused before a byte is read, whatever its size: the bytes go to S3 (POST /api/uploads).
    api.addContentTypeParser("application/gzip", (_r, _payload, done) => done(presignedUploadRequired(), undefined));
  } else {
    api.addContentTypeParser(
      "application/gzip",
      { parseAs: "buffer", bodyLimit: deps.uploadMaxBytes },
      (_r, body, done) => done(null, body),
    );
  }
}
