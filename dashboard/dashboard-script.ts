/**
 * Progressive enhancement, served as /assets/dashboard.js: every page works without it. On a detail
 * page it polls the log API for the shown job and appends its new lines as text (never as HTML),
 * and reloads when the status changes, so that facts, history and the current job are fresh.
 * Destroy forms ask for confirmation.
 */
export const dashboardScript = `"use strict";
(function () {
  var settled = ["ready", "failed", "destroyed", "awaiting_approval"];
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
  var live = document.querySelector("[data-live-environment]");
  if (!live) return;
  var id = live.getAttribute("data-live-environment");
  var job = live.getAttribute("data-job");
  var after = Number(live.getAttribute("data-after") || "0");
  var status = live.getAttribute("data-status");
  var log = document.getElementById("log");
  var badge = document.getElementById("status-badge");
  var liveNote = document.getElementById("live-note");
  if (liveNote) liveNote.textContent = "Updates live.";
  function poll() {
    var url = "/api/environments/" + encodeURIComponent(id) + "/logs?after=" + after + "&limit=500" +
      (job ? "&jobId=" + encodeURIComponent(job) : "");
    fetch(url, { headers: { accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (page) {
        if (!page) return schedule(10000);
        if (log && page.lines.length) {
          var atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 8;
          if (log.getAttribute("data-empty") === "true") { log.textContent = ""; log.removeAttribute("data-empty"); }
          log.append(page.lines.map(function (line) { return line.text; }).join("\\n") + "\\n");
          if (atBottom) log.scrollTop = log.scrollHeight;
          after = page.lines[page.lines.length - 1].seq;
        }
        if (page.status !== status) {
          status = page.status;
          if (badge) { badge.className = "status status-" + status; badge.textContent = status.replace("_", " "); }
          // Never pull the page from under someone typing: say so instead.
          var typing = document.activeElement && /^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName);
          if (!typing) return window.location.reload();
          if (liveNote) liveNote.textContent = "Status changed to " + status.replace("_", " ") + ": reload for details.";
        }
        schedule(settled.indexOf(status) >= 0 ? 10000 : 2000);
      })
      .catch(function () { schedule(10000); });
  }
  function schedule(ms) { window.setTimeout(poll, ms); }
  schedule(settled.indexOf(status) >= 0 ? 10000 : 1500);
})();
`;
