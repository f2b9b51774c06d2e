import type { FastifyReply, FastifyRequest } from "fastify";
import type { SafeHtml } from "../web/html.ts";
import type { Session } from "./create-auth.ts";
import type { PageChrome } from "./render-page.ts";

/** What the page routes lend the pages registered apart (register-page-routes.ts). */
export interface PageHelpers {
  /**
   * A change: a session, and the CSRF token of that session's forms; with `environmentId`, write
   * access to it too (issue 22). Answers the session.
   */
  requireChange(request: FastifyRequest, environmentId?: string): Promise<Session>;
  sendPage(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    chrome: Partial<PageChrome> & { title: string },
    body: SafeHtml,
  ): Promise<FastifyReply>;
}

/** A form field's text, trimmed; anything else (absent, repeated) is undefined. */
export function field(value: unknown): string | undefined {
  return typeof value === "string" ? value.trim() : undefined;
}
