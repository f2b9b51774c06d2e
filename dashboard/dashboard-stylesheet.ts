/**
 * The dashboard's whole stylesheet, served as /assets/dashboard.css (no inline styles: the CSP
 * allows none). Colours meet WCAG AA contrast (4.5:1) for their text; every status also says its
 * name, so colour is never the only cue. Below 760px the table turns into one card per row.
 */
export const dashboardStylesheet = `
:root { color-scheme: light; --fg: #1b1f24; --muted: #4b5563; --bg: #ffffff; --panel: #f6f8fa; --line: #d0d7de;
  --link: #0a52c5; --focus: #0a52c5; --danger: #a40e26; }
* { box-sizing: border-box; }
html { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
body { margin: 0; }
a { color: var(--link); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, summary:focus-visible {
  outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -9999px; }
.skip:focus { left: 1rem; top: 1rem; background: var(--bg); padding: .5rem 1rem; z-index: 10; }
header.top { background: #24292f; color: #fff; }
header.top .bar { max-width: 80rem; margin: 0 auto; padding: .75rem 1rem; display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: center; }
header.top a { color: #fff; }
header.top .brand { font-weight: 700; font-size: 1.15rem; text-decoration: none; }
header.top nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem 1rem; margin: 0; padding: 0; }
header.top form { display: inline; margin: 0; }
header.top button { font: inherit; color: #fff; background: none; border: 1px solid #8c959f; border-radius: 4px; padding: .1rem .6rem; cursor: pointer; }
main { max-width: 80rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.6rem; margin: .5rem 0 1rem; overflow-wrap: anywhere; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
.notice { border: 1px solid #1a7f37; background: #dafbe1; padding: .5rem 1rem; border-radius: 6px; }
.problem { border: 1px solid var(--danger); background: #ffebe9; padding: .5rem 1rem; border-radius: 6px; }
.counts { display: flex; flex-wrap: wrap; gap: .5rem; list-style: none; padding: 0; margin: 0 0 1rem; }
.counts a { text-decoration: none; }
form.filters { display: flex; flex-wrap: wrap; gap: .75rem; align-items: flex-end; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .75rem; margin-bottom: 1rem; }
.field { display: flex; flex-direction: column; gap: .2rem; }
.field label { font-size: .9rem; color: var(--muted); }
input, select, button { font: inherit; }
input, select { color: var(--fg); background: var(--bg); border: 1px solid #6e7781; border-radius: 4px; padding: .35rem .5rem; min-height: 2.25rem; }
button, .button { display: inline-block; background: #1f6feb; color: #fff; border: 1px solid #1158c7; border-radius: 6px; padding: .4rem .9rem; min-height: 2.25rem; cursor: pointer; text-decoration: none; }
button.secondary { background: var(--panel); color: var(--fg); border-color: #6e7781; }
button.danger { background: var(--danger); border-color: #82071e; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; color: var(--muted); padding: .25rem 0; }
th, td { text-align: left; padding: .45rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--panel); font-size: .9rem; }
td { overflow-wrap: break-word; }
/* Names, branches and URLs may be one long word: break them anywhere, but keep the column readable. */
td.long { overflow-wrap: anywhere; min-width: 10.5rem; }
time, td.nowrap { white-space: nowrap; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9rem; }
.status { display: inline-block; border-radius: 999px; padding: .05rem .6rem; font-size: .85rem; font-weight: 600; white-space: nowrap; border: 1px solid currentColor; }
.status::before { content: "● "; }
.status-ready { background: #dafbe1; color: #116329; }
.status-ready::before { content: "✓ "; }
.status-failed { background: #ffebe9; color: #a40e26; }
.status-failed::before { content: "✕ "; }
.status-deploying { background: #ddf4ff; color: #0550ae; }
.status-queued { background: #eaeef2; color: #424a53; }
.status-destroying { background: #fff8c5; color: #7d4e00; }
.status-destroyed { background: #f6f8fa; color: #57606a; }
.status-destroyed::before { content: "○ "; }
.status-awaiting_approval { background: #fbefff; color: #6e40c9; }
.status-awaiting_approval::before { content: "‖ "; }
.muted { color: var(--muted); }
.pager { display: flex; gap: 1rem; margin: 1rem 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1rem; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.actions { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-end; }
.actions form { display: flex; flex-wrap: wrap; gap: .5rem; align-items: flex-end; margin: 0; }
.check { display: flex; flex-direction: row !important; gap: .35rem; align-items: center; }
pre.log { background: #0d1117; color: #e6edf3; padding: .75rem; border-radius: 6px; overflow: auto; max-height: 32rem; white-space: pre-wrap; overflow-wrap: anywhere; }
form.stack { display: grid; gap: .9rem; max-width: 32rem; }
form.stack .hint { color: var(--muted); font-size: .85rem; }
/* Cost (issue 21): figures right-aligned, an estimate marked in words, the daily chart's bars. */
.num { text-align: right; font-variant-numeric: tabular-nums; }
abbr.cost { text-decoration: underline dotted; cursor: help; font-variant-numeric: tabular-nums; white-space: nowrap; }
.estimated { display: inline-block; font-size: .7rem; border: 1px solid #7d4e00; color: #7d4e00; background: #fff8c5; border-radius: 999px; padding: 0 .4rem; }
.idle { font-size: .85rem; }
/* The list's twelfth column: as narrow as its figures, so the table still fits 80rem. */
td[data-label="Cost, 30 days"] { min-width: 4.5rem; padding-left: .25rem; padding-right: .25rem; font-size: .9rem; }
td[data-label="Cost, 30 days"] .idle { font-size: .8rem; }
td[data-label="Cost, 30 days"] .figure { white-space: nowrap; }
.sorts { white-space: nowrap; }
.totals-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr)); gap: 1rem; }
figure.cost-chart { margin: 1rem 0 .5rem; max-width: 40rem; }
figure.cost-chart svg { display: block; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); }
figure.cost-chart .bar { fill: #0a52c5; }
figure.cost-chart .axis { stroke: #6e7781; stroke-width: 1; }
figure.cost-chart .label { fill: var(--muted); font-size: 11px; }
figure.cost-chart figcaption { color: var(--muted); font-size: .9rem; }
table.days, table.usage, table.platform-cost { width: auto; }
footer { max-width: 80rem; margin: 2rem auto; padding: 0 1rem; color: var(--muted); font-size: .85rem; }
@media (max-width: 760px) {
  table.cards thead { position: absolute; left: -9999px; }
  table.cards, table.cards tbody, table.cards tr, table.cards td { display: block; width: 100%; }
  table.cards tr { border: 1px solid var(--line); border-radius: 6px; margin-bottom: .75rem; padding: .25rem .5rem; }
  table.cards caption { display: block; }
  table.cards td { border: none; padding: .2rem 0; display: flex; flex-wrap: wrap; align-items: baseline; gap: 0 .5rem; min-width: 0; }
  table.cards td::before { content: attr(data-label); flex: 0 0 7.5rem; color: var(--muted); font-size: .85rem; }
  dl.facts { grid-template-columns: 1fr; }
  dl.facts dd { margin-bottom: .4rem; }
}
`;
