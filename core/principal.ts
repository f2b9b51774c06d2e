/** How a change was asked for: recorded in history as `via` (issue 22's contract). */
export type Via = "page" | "api" | "cli" | "github";

/**
 * Who a request is (issue 22). A person signed in with GitHub acts by their permission on each
 * repository; a named token by the scope it was given; the API token (machines, scripts, CI, and
 * the embedded default's token login) by everything.
 */
export type Principal =
  | { kind: "person"; login: string }
  | { kind: "token"; name: string; scopes: readonly TokenScope[] }
  | { kind: "api_token" };

/** What a named token may do: `read` sees everything, `write` also changes environments, `admin` everything. */
export type TokenScope = "read" | "write" | "admin";

/** The history actor of a principal: the GitHub login, `token:<name>`, or `api-token`. */
export function actorOf(principal: Principal): string {
  switch (principal.kind) {
    case "person":
      return principal.login;
    case "token":
      return `token:${principal.name}`;
    case "api_token":
      return "api-token";
  }
}
