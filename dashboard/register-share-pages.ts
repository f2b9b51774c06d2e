import type { FastifyInstance } from "fastify";
import { StackforkError } from "../core/errors.ts";
import type { ShareLinks } from "../preview-router/create-share-links.ts";
import { html } from "../web/html.ts";
import { field, type PageHelpers } from "./page-helpers.ts";

/** The environment page's Share and Revoke buttons: a signed link to its preview, or every link voided. */
export function registerSharePages(
  pages: FastifyInstance,
  { shareLinks, requireChange, sendPage }: PageHelpers & { shareLinks?: ShareLinks },
): void {
  pages.post("/environments/:id/share", async (request, reply) => {
    const { id } = request.params as { id: string };
    await requireChange(request, id);
    if (!shareLinks) throw new StackforkError("NOT_FOUND", "this server does not route previews");
    const hours = Number(field((request.body as Record<string, unknown>).hours));
    if (!Number.isInteger(hours) || hours < 1 || hours > 720)
      throw new StackforkError("INVALID_INPUT", "hours must be a whole number from 1 to 720");
    const link = await shareLinks.issue(id, hours);
    const back = `/environments/${encodeURIComponent(id)}`;
    return sendPage(
      request,
      reply,
      201,
      { title: `Share ${id}` },
      html`<h1>Share link for ${id}</h1>
<p>Anyone with this link opens the preview until ${link.expiresAt}, without the API token:</p>
<p><input id="share-link" class="share-link" type="text" readonly value="${link.url}" aria-label="Share link"></p>
<p><a href="${back}">Back to ${id}</a></p>`,
    );
  });
  pages.post("/environments/:id/share/revoke", async (request, reply) => {
    const { id } = request.params as { id: string };
    await requireChange(request, id);
    if (!shareLinks) throw new StackforkError("NOT_FOUND", "this server does not route previews");
    await shareLinks.revokeAll(id);
    return reply.redirect(`/environments/${encodeURIComponent(id)}?done=unshared`, 303);
  });
}
