import { html, type SafeHtml } from "../web/html.ts";

export interface LoginFormView {
  csrfToken: string;
  /** Where to go after logging in: a path on this server. */
  next: string;
  problem?: string;
}

/** `GET /login`: the API token, once, for a session cookie. */
export function renderLoginForm(view: LoginFormView): SafeHtml {
  return html`<h1>Log in</h1>
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
