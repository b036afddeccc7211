// Follows the scans of a dossier being read in the background: when one changes state, says so in
// the page's live region with a link that shows it. Nothing reloads by itself (the officer may be typing).
(function () {
  var region = document.getElementById("scan-progress");
  if (!region || !window.fetch) return;
  var seen = {};
  document.querySelectorAll(".scan-status").forEach(function (el) {
    seen[el.closest("[id^='scan-']").id.replace("scan-", "")] = el.getAttribute("data-status");
  });
  var waiting = Object.keys(seen).some(function (k) { return seen[k] === "queued" || seen[k] === "running"; });
  if (!waiting) return;
  function poll() {
    fetch(region.getAttribute("data-url"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (!body) return;
        // Told once a scan is done (read, or given up); waiting and being read are not news.
        var changed = body.digitisations.some(function (d) {
          return seen[d.id] && seen[d.id] !== d.status && d.status !== "queued" && d.status !== "running";
        });
        if (changed) {
          region.textContent = region.getAttribute("data-done") + " ";
          var a = document.createElement("a");
          a.className = "govuk-link";
          a.href = window.location.pathname + "#digitisation";
          a.textContent = region.getAttribute("data-reload");
          a.addEventListener("click", function (e) { e.preventDefault(); window.location.reload(); });
          region.appendChild(a);
          region.className = "govuk-inset-text";
          return;
        }
        window.setTimeout(poll, 3000);
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }
  window.setTimeout(poll, 3000);
})();
