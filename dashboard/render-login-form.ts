import { html, type SafeHtml } from "../web/html.ts";

export interface LoginFormView {
  csrfToken: string;
  /** Where to go after logging in: a path on this server. */
  next: string;
  problem?: string;
  /** Sign-in with GitHub is configured: offered first; else the page says how to turn it on. */
  githubSignIn?: boolean;
}

/** `GET /login`: sign-in with GitHub when on, and the API token, once, for a session cookie. */
export function renderLoginForm(view: LoginFormView): SafeHtml {
  const github = view.githubSignIn
    ? html`<p>People sign in with their GitHub account and act by their permission on each repository.</p>
<p><a class="button" id="sign-in-github" href="/login/github?next=${encodeURIComponent(view.next)}">Sign in with GitHub</a></p>
<h2>With the API token</h2>`
    : html`<p id="github-sign-in-off">Sign-in with GitHub is off on this server. To turn it on, create an OAuth App (or use
your GitHub App's own client) with the callback URL <code>&lt;this dashboard&gt;/login/github/callback</code> and
the device flow enabled, then start stackfork with <code>GITHUB_OAUTH_CLIENT_ID</code> and
<code>GITHUB_OAUTH_CLIENT_SECRET</code> (and <code>GITHUB_WEB_URL</code> for GitHub Enterprise).</p>`;
  return html`<h1>Log in</h1>
${github}
<p>Changes need the API token: <code>STACKFORK_API_TOKEN</code>, or the file <code>&lt;data dir&gt;/secrets/api-token</code>
that <code>stackfork serve</code> printed at start. The session lasts 12 hours.</p>
${view.problem && html`<p class="problem" role="alert" id="login-problem">${view.problem}</p>`}
<form class="stack" method="post" action="/login">
<input type="hidden" name="_csrf" value="${view.csrfToken}">
<input type="hidden" name="next" value="${view.next}">
<div class="field"><label for="login-token">API token</label>
<input id="login-token" type="password" name="token" required autocomplete="current-password"${view.problem ? html` aria-describedby="login-problem" aria-invalid="true"` : ""}></div>
<div><button type="submit">Log in</button></div>
</form>`;
}
