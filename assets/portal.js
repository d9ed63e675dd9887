// POST a form's fields as JSON to one of our own routes (same origin, cookies included).
// Follows a {redirect} answer with a full page load, so the next websocket carries the new cookie.
window.portalPost = async function (url, formId) {
  const form = formId ? document.getElementById(formId) : null;
  const body = form ? Object.fromEntries(new FormData(form).entries()) : {};
  body.lang = document.documentElement.lang || "nl";
  const token = new URLSearchParams(window.location.search).get("token");
  if (token) body.token = token;
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch (e) {
    return { network: true };
  }
  let data = {};
  try { data = await response.json(); } catch (e) { data = { network: !response.ok }; }
  if (data.redirect) {
    window.location.assign(data.redirect);
    return { redirecting: true };
  }
  if (form && data.error) {
    const pw = form.querySelector("input[type=password]");
    if (pw) { pw.value = ""; pw.focus(); }
  }
  return data;
};

// One file as the raw body of a POST to one of the streaming upload routes (upload requests, office documents,
// message attachments), with its name and the page's language in headers (plus ``headers``); resolves with the
// route's JSON answer, ``{error}`` in the user's language when refused or the connection was lost.
function portalSendFile(url, file, onProgress, headers) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.withCredentials = true;
    xhr.setRequestHeader("X-Upload-Name", encodeURIComponent(file.name || "upload"));
    xhr.setRequestHeader("X-Portal-Lang", document.documentElement.lang || "nl");
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    for (const [name, value] of Object.entries(headers || {})) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(Math.round((100 * e.loaded) / e.total)); };
    xhr.onload = () => {
      let data = {};
      try { data = JSON.parse(xhr.responseText); } catch (e) { data = {}; }
      if (xhr.status >= 400 && !data.error) data.error = "HTTP " + xhr.status;
      resolve(data);
    };
    xhr.onerror = () => resolve({ error: document.documentElement.lang === "en" ? "The connection was lost." : "De verbinding is verbroken." });
    xhr.send(file);
  });
}

// Tell the page's state what an upload batch did: the JSON goes into a hidden input (``id``) whose change event
// the state handles; a nonce makes a repeated answer a change too.
function portalReport(id, payload) {
  const el = document.getElementById(id);
  if (!el) return;
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
  setter.call(el, JSON.stringify(Object.assign({ nonce: Date.now() }, payload)));
  el.dispatchEvent(new Event("input", { bubbles: true }));
}

// Upload request screen: each chosen file goes on its own to the streaming upload route, with a
// progress bar; when a batch is done, the page's state is told (through #upload-result) to reload.
document.addEventListener("change", async (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || !input.dataset.uploadRequest) return;
  const requestId = Number(input.dataset.uploadRequest);
  const files = Array.from(input.files || []);
  input.value = "";
  if (!files.length) return;
  const box = document.getElementById("progress-" + requestId);
  const errors = [];
  for (const file of files) {
    const row = document.createElement("div");
    row.className = "progress-row";
    const label = document.createElement("span");
    label.textContent = file.name;
    const bar = document.createElement("progress");
    bar.max = 100; bar.value = 0;
    bar.setAttribute("aria-label", file.name);
    row.append(label, bar);
    if (box) box.append(row);
    const result = await portalSendFile("/uploads/" + encodeURIComponent(requestId), file, (pct) => { bar.value = pct; });
    if (result.error) errors.push(file.name + ": " + result.error);
    row.remove();
  }
  portalReport("upload-result", { request: requestId, errors: errors });
});

// A photo is cleaned on the server after its upload; while a row says so (data-upload-processing), ask the
// page's state for a refresh every second (after two minutes every ten seconds), so it shows the result.
let portalProcessingTicks = 0;
setInterval(() => {
  const busy = document.querySelector("[data-upload-processing]");
  portalProcessingTicks = busy ? portalProcessingTicks + 1 : 0;
  if (busy && (portalProcessingTicks <= 120 || portalProcessingTicks % 10 === 0)) {
    const refresh = document.getElementById("upload-refresh");
    if (refresh) refresh.click();
  }
}, 1000);

// A secret shown once (recovery code, authenticator key and QR code) is written straight into its element
// (id -> text; an image's src, a link's href), never kept in the page's state; waits until React rendered it.
window.portalReveal = function (values) {
  const pending = new Map(Object.entries(values));
  let tries = 0;
  const apply = () => {
    for (const [id, value] of pending) {
      const el = document.getElementById(id);
      if (!el) continue;
      if (el.tagName === "IMG") el.src = value;
      else if (el.tagName === "A") el.href = value;
      else el.textContent = value;
      pending.delete(id);
    }
    if (pending.size && tries++ < 250) setTimeout(apply, 20);
  };
  apply();
};

// Staff dossier screen: an office document (title, kind, Publiek, one PDF) goes to POST /kantoor/documenten/<dossier>
// with a progress bar; the result is reported to the page's state through #office-upload-result.
document.addEventListener("click", async (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-office-upload]") : null;
  if (!button) return;
  const dossierId = button.getAttribute("data-office-upload");
  const fileInput = document.getElementById("office-doc-file");
  const titleInput = document.getElementById("office-doc-title");
  const file = fileInput && fileInput.files && fileInput.files[0];
  const report = (payload) => portalReport("office-upload-result", payload);
  // what is missing is named by the page's state, in the user's language (only that language's texts reach the browser)
  if (!titleInput || !titleInput.value.trim()) { report({ missing: "title" }); titleInput && titleInput.focus(); return; }
  if (!file) { report({ missing: "file" }); fileInput && fileInput.focus(); return; }
  const kind = (document.getElementById("office-doc-kind") || {}).value || "document";
  const isPublic = !!(document.getElementById("office-doc-public") || {}).checked;
  const box = document.getElementById("office-doc-progress");
  const bar = document.createElement("progress");
  bar.max = 100; bar.value = 0; bar.setAttribute("aria-label", file.name);
  if (box) box.append(bar);
  button.disabled = true;
  const result = await portalSendFile("/kantoor/documenten/" + encodeURIComponent(dossierId), file, (pct) => { bar.value = pct; }, {
    "X-Document-Title": encodeURIComponent(titleInput.value.trim()),
    "X-Document-Kind": kind,
    "X-Document-Public": isPublic ? "1" : "0",
  });
  bar.remove();
  button.disabled = false;
  if (!result.error) { titleInput.value = ""; fileInput.value = ""; }
  report({ errors: result.error ? [result.error] : [] });
});

// Berichten: each attachment chosen in the composer goes on its own to POST /berichten/<dossier>/bijlagen with a
// progress bar; when the batch is done, the page's state is told (through #message-attach-result) to show them.
document.addEventListener("change", async (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || !input.dataset.messageDossier) return;
  const dossierId = input.dataset.messageDossier;
  const files = Array.from(input.files || []);
  input.value = "";
  if (!files.length) return;
  const box = document.getElementById("message-file-progress");
  const errors = [];
  for (const file of files) {
    const bar = document.createElement("progress");
    bar.max = 100; bar.value = 0; bar.setAttribute("aria-label", file.name);
    if (box) box.append(bar);
    const result = await portalSendFile("/berichten/" + encodeURIComponent(dossierId) + "/bijlagen", file, (pct) => { bar.value = pct; });
    bar.remove();
    if (result.error) errors.push(file.name + ": " + result.error);
  }
  portalReport("message-attach-result", { errors: errors });
});
