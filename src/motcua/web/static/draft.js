// Keeps what someone types in a dossier form on this device (localStorage) until it is sent, so a
// reload, a lost connection or a closed tab loses nothing. Files cannot be kept: the browser forbids it.
(function () {
  var done = document.querySelector("[data-clear-draft]");
  if (done) { try { localStorage.removeItem("motcua-draft:" + done.getAttribute("data-clear-draft")); } catch (e) {} }
  var form = document.querySelector("form[data-draft]");
  if (!form) return;
  var key = "motcua-draft:" + form.getAttribute("data-draft");
  var skip = { csrf: 1, files: 1, province: 1 };
  var id = form.elements["draft_id"];
  var saved = {};
  try { saved = JSON.parse(localStorage.getItem(key) || "{}"); } catch (e) { saved = {}; }
  if (id && !id.value) id.value = saved.draft_id || (Date.now().toString(36) + Math.random().toString(36).slice(2));
  Array.prototype.forEach.call(form.elements, function (el) {
    if (!el.name || skip[el.name] || el.name === "draft_id" || !(el.name in saved)) return;
    if (el.type === "checkbox") { if (!el.defaultChecked) el.checked = !!saved[el.name]; }
    else if (!el.value) el.value = saved[el.name];
  });
  function save() {
    var data = { draft_id: id ? id.value : "" };
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || skip[el.name] || el.name === "draft_id") return;
      data[el.name] = el.type === "checkbox" ? el.checked : el.value;
    });
    try { localStorage.setItem(key, JSON.stringify(data)); } catch (e) {}
  }
  form.addEventListener("input", save);
  form.addEventListener("change", save);
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
