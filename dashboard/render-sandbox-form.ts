import { html, type SafeHtml } from "../web/html.ts";

export interface SandboxFormView {
  repositories: readonly { name: string; defaultBranch: string }[];
  values: { owner?: string; repository?: string; ref?: string };
  loggedIn: boolean;
  csrfToken?: string;
  problem?: string;
}

/** `GET /sandboxes/new`: ask for `sandbox/<owner>` of a repository, from a branch or commit. */
export function renderSandboxForm(view: SandboxFormView): SafeHtml {
  const { values } = view;
  const intro = html`<h1>New sandbox</h1>
<p>A sandbox is your own copy of a repository's stack, from a branch or a commit of it. One per person and
repository: asking again updates yours. From a working tree instead, use <code>stackfork sandbox up --dir .</code></p>`;
  if (!view.loggedIn)
    return html`${intro}<p><a href="/login?next=%2Fsandboxes%2Fnew">Log in</a> to ask for a sandbox.</p>`;
  if (view.repositories.length === 0)
    return html`${intro}<p class="problem">No repository is configured: list one in stackfork.config.json first.</p>`;
  return html`${intro}
${view.problem && html`<p class="problem" role="alert" id="form-problem">${view.problem}</p>`}
<form class="stack" method="post" action="/sandboxes"${view.problem ? html` aria-describedby="form-problem"` : ""}>
<input type="hidden" name="_csrf" value="${view.csrfToken}">
<div class="field"><label for="sandbox-owner">Owner (GitHub login)</label>
<input id="sandbox-owner" name="owner" required maxlength="39" pattern="[A-Za-z0-9][A-Za-z0-9\\-]{0,38}" autocomplete="username" value="${values.owner ?? ""}" aria-describedby="owner-hint">
<span class="hint" id="owner-hint">Letters, digits and dashes. The sandbox is named after it.</span></div>
<div class="field"><label for="sandbox-repository">Repository</label>
<select id="sandbox-repository" name="repository" required>
${view.repositories.map(
  (r) =>
    html`<option value="${r.name}"${values.repository?.toLowerCase() === r.name.toLowerCase() ? html` selected` : ""}>${r.name}</option>`,
)}
</select></div>
<div class="field"><label for="sandbox-ref">Ref</label>
<input id="sandbox-ref" name="ref" maxlength="255" value="${values.ref ?? ""}" placeholder="${view.repositories[0]?.defaultBranch ?? "main"}" aria-describedby="ref-hint">
<span class="hint" id="ref-hint">A branch, or a commit (7 to 40 hex digits). Empty: the repository's default branch.</span></div>
<div><button type="submit">Create sandbox</button></div>
</form>`;
}
