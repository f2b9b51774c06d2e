import { html, type SafeHtml } from "../web/html.ts";

export interface PageChrome {
  title: string;
  /** A dashboard session is open: changes are offered, and a log-out button. */
  loggedIn: boolean;
  /** The session's CSRF token, for the log-out form. */
  csrfToken?: string;
  /** Who is signed in: a GitHub login; absent for the API token's session. */
  signedInAs?: string;
  current?: "environments" | "new-sandbox" | "cost" | "login";
}

/**
 * The shell of every page: language, landmarks (banner, navigation, main, contentinfo), a skip
 * link, and the stylesheet and script as files (the CSP forbids inline ones).
 */
export function renderPage(chrome: PageChrome, body: SafeHtml): string {
  const navLink = (href: string, label: string, key: PageChrome["current"]) =>
    html`<li><a href="${href}"${chrome.current === key ? html` aria-current="page"` : ""}>${label}</a></li>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${chrome.title} · stackfork</title>
<link rel="stylesheet" href="/assets/dashboard.css">
<script src="/assets/dashboard.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<div class="bar">
<a class="brand" href="/">stackfork</a>
<nav aria-label="Main">
<ul>
${navLink("/", "Environments", "environments")}
${navLink("/sandboxes/new", "New sandbox", "new-sandbox")}
${navLink("/cost", "Platform cost", "cost")}
<li><a href="/api/openapi.json">API</a></li>
<li>${
    chrome.loggedIn
      ? html`${chrome.signedInAs ? html`<span class="signed-in" id="signed-in-as">Signed in as <strong>${chrome.signedInAs}</strong></span> ` : ""}<form method="post" action="/logout"><input type="hidden" name="_csrf" value="${chrome.csrfToken}"><button type="submit">Log out</button></form>`
      : html`<a href="/login"${chrome.current === "login" ? html` aria-current="page"` : ""}>Log in</a>`
  }</li>
</ul>
</nav>
</div>
</header>
<main id="main" tabindex="-1">
${body}
</main>
<footer>stackfork: a copy of the stack for every branch, pull request and developer.</footer>
</body>
</html>
`.value;
}
