"""The Content-Security-Policy of the app's pages: Reflex's own inline scripts run (they are allowed by
hash), an injected inline script does not, and no page of a whole client and office journey triggers
a single policy violation."""

from __future__ import annotations

import requests
from playwright.sync_api import expect

from .data import ALICE_MORTGAGE, dossier_id
from .helpers import Server, login_as, new_page, open_page

_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sample || ""));
});
"""


def test_pages_carry_a_strict_policy(portal_server: Server):
    response = requests.get(f"{portal_server.base_url}/login/", timeout=10)
    policy = response.headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'sha256-" in directives["script-src"]
    assert "strict-transport-security" not in response.headers  # http here; HSTS only on https (route tests)


def test_no_violation_on_a_client_and_an_office_journey_and_injected_scripts_do_not_run(portal_server: Server, make_context):
    base = portal_server.base_url
    for email, landing, paths in (
        ("alice@example.nl", "/home", ["/dossiers", f"/dossiers/{dossier_id(portal_server, ALICE_MORTGAGE)}", "/acties", "/mijn-gegevens",
                                        "/mijn-gegevens/tweestapsverificatie"]),
        ("bob@amstelhypotheek.nl", "/kantoor", ["/kantoor/taken", "/kantoor/vragenlijsten", f"/kantoor/dossiers/{dossier_id(portal_server, ALICE_MORTGAGE)}"]),
    ):
        context = make_context(viewport="desktop", lang="nl")
        context.add_init_script(_VIOLATIONS)
        page = new_page(context)
        login_as(page, base, email, landing)
        for path in paths:
            open_page(page, f"{base}{path}")
            expect(page.locator("main")).to_be_visible()
            assert page.evaluate("window.__cspViolations") == [], f"{path}: {page.evaluate('window.__cspViolations')}"
        page.evaluate(
            """() => { const s = document.createElement("script"); s.textContent = "window.__injected = true";
                       document.body.appendChild(s); }"""
        )
        page.wait_for_timeout(200)
        assert page.evaluate("window.__injected === undefined"), "an injected inline script ran"
        assert any("script-src" in v for v in page.evaluate("window.__cspViolations"))
