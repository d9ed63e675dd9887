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
