import type { FastifyReply, FastifyRequest } from "fastify";
import { errorCatalogue } from "../core/errors.ts";
import { html } from "../web/html.ts";

/** Why the router answers itself instead of the copy. */
export type PreviewState =
  | { code: "NOT_FOUND"; name: string; message: string }
  | { code: "PREVIEW_NOT_READY"; name: string; status: string; message: string }
  | { code: "COPY_NOT_ANSWERING"; name: string; message: string }
  | { code: "SHARE_LINK_REQUIRED"; name: string; message: string };

/**
 * A small page saying what state a preview is in, with the catalogue's status (404, 503, 502, 403)
 * and a link to the environment on the dashboard: HTML for a browser (Accept: text/html), the
 * error JSON of the API otherwise. Always a complete answer, never a socket left open.
 */
export function sendPreviewState(
  request: FastifyRequest,
  reply: FastifyReply,
  state: PreviewState,
  dashboardUrl: string,
): FastifyReply {
  const status = errorCatalogue[state.code].status;
  const environmentPage = `${dashboardUrl}/environments/${encodeURIComponent(state.name)}`;
  void reply.code(status).header("cache-control", "no-store");
  if (state.code === "PREVIEW_NOT_READY") void reply.header("retry-after", "10");
  const { code, message } = state;
  if (!request.headers.accept?.includes("text/html")) {
    return reply.send({
      error: { code, message },
      environment: state.name,
      ...("status" in state && { status: state.status }),
      dashboardUrl: environmentPage,
    });
  }
  const title = TITLES[code];
  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}: ${state.name}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}code{background:#f2f2f2;padding:0 .2em}</style>
</head><body>
<h1>${title}</h1>
<p><code>${code}</code> ${message}</p>
<p><a href="${environmentPage}">${state.name} on the stackfork dashboard</a></p>
</body></html>`;
  return reply
    .header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'")
    .type("text/html; charset=utf-8")
    .send(page.value);
}

const TITLES: Record<PreviewState["code"], string> = {
  NOT_FOUND: "No such preview",
  PREVIEW_NOT_READY: "This preview is not ready",
  COPY_NOT_ANSWERING: "This preview does not answer",
  SHARE_LINK_REQUIRED: "This preview needs a share link",
};
