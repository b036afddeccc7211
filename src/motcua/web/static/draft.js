// Keeps what someone types in a dossier form on this device (localStorage) until it is sent, so a
// reload, a lost connection or a closed tab loses nothing. Files cannot be kept: the browser forbids it.
(function () {
  var done = document.querySelector("[data-clear-draft]");
  if (done) { try { localStorage.removeItem("motcua-draft:" + done.getAttribute("data-clear-draft")); } catch (e) {} }
  var form = document.querySelector("form[data-draft]");
  if (!form) return;
  var key = "motcua-draft:" + form.getAttribute("data-draft");
  var skip = { csrf: 1, files: 1, province: 1, draft_id: 1 };
  var id = form.elements["draft_id"];
  var saved = {};
  try { saved = JSON.parse(localStorage.getItem(key) || "{}"); } catch (e) { saved = {}; }
  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) { return el.name && !skip[el.name]; });
  }
  function save() {
    var data = { draft_id: id ? id.value : "" };
    fields().forEach(function (el) { data[el.name] = el.type === "checkbox" ? el.checked : el.value; });
    try { localStorage.setItem(key, JSON.stringify(data)); } catch (e) {}
  }
  function listen() { form.addEventListener("input", save); form.addEventListener("change", save); }
  var typed = fields().some(function (el) { return el.type !== "checkbox" && el.tagName !== "SELECT" && el.value; });
  var kept = Object.keys(saved).some(function (k) { return !skip[k] && saved[k]; });
  var panel = document.getElementById("draft-panel");
  if (!kept || typed || !panel) {  // nothing to offer, or the page already holds what was sent
    if (id && !id.value) id.value = saved.draft_id || (Date.now().toString(36) + Math.random().toString(36).slice(2));
    listen();
    return;
  }
  // A draft from earlier: nothing changes on the page until the person says so.
  panel.hidden = false;
  document.getElementById("draft-restore").addEventListener("click", function () {
    var missing = [];
    if (id) id.value = saved.draft_id || id.value;
    fields().forEach(function (el) {
      if (!(el.name in saved)) return;
      if (el.type === "checkbox") { el.checked = !!saved[el.name]; return; }
      if (el.tagName === "SELECT") {
        var offered = Array.prototype.some.call(el.options, function (o) { return o.value === saved[el.name]; });
        if (offered) el.value = saved[el.name];
        else if (saved[el.name]) {
          var label = form.querySelector("label[for='" + el.id + "']");
          missing.push(label ? label.textContent.trim() : el.name);
        }
        return;
      }
      el.value = saved[el.name];
    });
    var note = document.getElementById("draft-missing");
    if (missing.length && note) { note.textContent = note.getAttribute("data-text").replace("{fields}", missing.join(", ")); note.hidden = false; }
    document.getElementById("draft-choice").hidden = true;
    document.getElementById("draft-restored").hidden = false;
    listen();
    save();
  });
  document.getElementById("draft-discard").addEventListener("click", function () {
    try { localStorage.removeItem(key); } catch (e) {}
    if (id) id.value = Date.now().toString(36) + Math.random().toString(36).slice(2);
    panel.hidden = true;
    listen();
  });
})();
// The old→new address helper: shows, under the field, how the address reads in the new units.
(function () {
  var input = document.getElementById("subject_address");
  var out = document.getElementById("address-helper");
  if (!input || !out || !window.fetch) return;
  function show() {
    var q = input.value.trim();
    if (q.length < 4) return;
    fetch("/api/v1/addresses/convert?q=" + encodeURIComponent(q)).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (res) {
        if (!res) return;
        var text;
        if (res.commune_code) text = out.getAttribute("data-converted") + " " + res.formatted;
        else if (res.status === "ambiguous") text = out.getAttribute("data-ambiguous") + " " +
          res.candidates.map(function (c) { return c.name; }).join(", ");
        else text = out.getAttribute("data-unknown");
        out.textContent = text;
      }).catch(function () {});
  }
  input.addEventListener("change", show);
  show();
})();
