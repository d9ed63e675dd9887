"""Helpers for the end-to-end tests: the server process, page helpers, privacy watch, axe, screenshots.

``start_server`` runs ``reflex run --env prod --single-port`` on a free port in a fresh data directory
(migrated by Alembic, demo data loaded) and waits until pages and the websocket backend answer;
``stop_server`` ends its whole process group. ``open_page`` waits until a page is hydrated (its
websocket delivered a state update), so tests never type into a form React has not taken over yet.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from playwright.sync_api import Error as PlaywrightError

ROOT = Path(__file__).resolve().parents[2]
E2E_DIR = Path(__file__).resolve().parent
DEMO_PASSWORD = "portal-demo-2026"
START_TIMEOUT = 300  # seconds: a cold prod build on a slow machine
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
LOCALES = {"nl": "nl-NL", "en": "en-GB"}

# Visible texts by language (from locales/*/LC_MESSAGES/messages.po)
TEXT = {
    "nl": {
        "email": "E-mailadres",
        "password": "Wachtwoord",
        "login": "Inloggen",
        "forgot_link": "Wachtwoord vergeten?",
        "forgot_submit": "Link versturen",
        "new_password": "Nieuw wachtwoord",
        "new_password2": "Herhaal het nieuwe wachtwoord",
        "save_password": "Wachtwoord opslaan",
        "reset_done": "Uw wachtwoord is gewijzigd",
        "invalid": "Het e-mailadres of wachtwoord is onjuist.",
        "logout": "Uitloggen",
        "welcome": "Welkom",
        "dossiers": "Dossiers",
        "actions": "Acties",
        "profile": "Mijn gegevens",
        "forgot_sent": "Als dit e-mailadres bij ons bekend is",
    },
    "en": {
        "email": "E-mail address",
        "password": "Password",
        "login": "Log in",
        "forgot_link": "Forgot your password?",
        "forgot_submit": "Send link",
        "new_password": "New password",
        "new_password2": "Repeat the new password",
        "save_password": "Save password",
        "reset_done": "Your password has been changed",
        "invalid": "The e-mail address or password is incorrect.",
        "logout": "Log out",
        "welcome": "Welcome",
        "dossiers": "Dossiers",
        "actions": "Actions",
        "profile": "My details",
        "forgot_sent": "If we know this e-mail address",
    },
}

# Settings the server reads from the environment: the developer's own values must not leak in.
_SERVER_ENV_TO_CLEAR = [
    "PORTAL_ENV", "PORTAL_DATA_DIR", "DATABASE_URL", "SECRET_KEY", "SITE_URL", "MAIL_FROM",
    "MAIL_OUTBOX_DIR", "SMS_DIR", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM", "TWILIO_API_BASE", "SMTP_HOST", "SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD", "SMTP_STARTTLS",
    "SMS_BACKEND", "SESSION_IDLE_MINUTES", "SESSION_ABSOLUTE_HOURS", "REFLEX_REDIS_URL",
    "UPLOAD_MAX_BYTES", "GRANIAN_WORKERS", "REFLEX_WEB_WORKDIR", "REFLEX_ENV_FILE",
]

BACKEND_ERROR = re.compile(r"\[Reflex Backend Exception\]|Traceback \(most recent call last\)")


def path_re(path: str) -> re.Pattern[str]:
    """A URL matcher for ``path`` (Reflex serves pages with a trailing slash), query allowed."""
    return re.compile(rf"^https?://[^/]+{re.escape(path.rstrip('/'))}/?(\?.*)?$")


# ---------------------------------------------------------------------------------------------
# the server
# ---------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A running ``reflex run --env prod`` with its own data directory and database."""

    name: str
    port: int
    data_dir: Path
    log_path: Path
    env: dict[str, str]
    proc: subprocess.Popen | None = None
    _log_offsets: dict[str, int] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://localhost:{self.port}"

    @property
    def outbox(self) -> Path:
        return self.data_dir / "outbox"

    # -- mail ------------------------------------------------------------------------------------
    def mails_to(self, address: str) -> list[EmailMessage]:
        """Every mail in the outbox addressed to ``address``, oldest first."""
        found = []
        for path in sorted(self.outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns):
            msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if address.lower() in str(msg["To"]).lower():
                found.append(msg)
        return found

    def wait_for_mail(self, address: str, count_before: int, timeout: float = 20) -> EmailMessage:
        """The newest mail to ``address`` once there are more than ``count_before``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            mails = self.mails_to(address)
            if len(mails) > count_before:
                return mails[-1]
            time.sleep(0.2)
        raise AssertionError(f"no new mail to {address} in {self.outbox} after {timeout} s")

    # -- database (through the app's own code, in the server's environment) ---------------------
    def run_python(self, code: str) -> str:
        result = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(code)],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=120,
        )
        if result.returncode != 0:
            raise AssertionError(f"python in the {self.name} server's environment failed:\n{result.stderr}")
        return result.stdout

    def create_client_user(self, email_address: str, full_name: str, password: str = DEMO_PASSWORD, language: str = "nl") -> None:
        """A client login of its own (a person client without dossiers), for tests that change it."""
        self.run_python(
            f"""
            from portal.db.engine import session_scope
            from portal.db.models import Client, ClientKind, ClientMember, User, UserKind
            from portal.domain.auth import hash_password
            with session_scope() as db:
                user = User(email={email_address!r}, full_name={full_name!r}, kind=UserKind.CLIENT,
                            password_hash=hash_password({password!r}), language={language!r})
                client = Client(kind=ClientKind.PERSON, name={full_name!r})
                db.add(user); db.add(client); db.flush()
                db.add(ClientMember(client_id=client.id, user_id=user.id, is_primary=True))
            """
        )

    # -- processes ---------------------------------------------------------------------------------
    def worker_pids(self) -> list[int]:
        """The backend worker processes: children of the ``reflex run`` process running reflex."""
        assert self.proc is not None
        workers = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
            if ppid == self.proc.pid and "reflex" in cmdline and "multiprocessing" not in cmdline:
                workers.append(int(entry.name))
        return sorted(workers)

    def connection_owners(self) -> dict[int, int]:
        """Established TCP connections to our port: client-side port -> pid of the process holding it."""
        inode_to_client_port: dict[str, int] = {}
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                lines = Path(table).read_text().splitlines()[1:]
            except OSError:
                continue
            for line in lines:
                cols = line.split()
                local, remote, state, inode = cols[1], cols[2], cols[3], cols[9]
                if state == "01" and int(local.rsplit(":", 1)[1], 16) == self.port:
                    inode_to_client_port[inode] = int(remote.rsplit(":", 1)[1], 16)
        owners: dict[int, int] = {}
        for pid in self.worker_pids():
            try:
                fds = list(Path(f"/proc/{pid}/fd").iterdir())
            except OSError:
                continue
            for fd in fds:
                try:
                    target = os.readlink(fd)
                except OSError:
                    continue
                if target.startswith("socket:["):
                    inode = target[len("socket:[") : -1]
                    if inode in inode_to_client_port:
                        owners[inode_to_client_port[inode]] = pid
        return owners

    # -- log ---------------------------------------------------------------------------------------
    def log_text(self, start: int = 0) -> str:
        try:
            with open(self.log_path, "rb") as fh:
                fh.seek(start)
                return fh.read().decode(errors="replace")
        except OSError:
            return ""

    def log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0

    def log_tail(self, lines: int = 80) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])


def _server_env(name: str, data_dir: Path, port: int, extra: dict[str, str]) -> dict[str, str]:
    cleared = {*_SERVER_ENV_TO_CLEAR, *(f"{name}_FILE" for name in _SERVER_ENV_TO_CLEAR)}
    env = {k: v for k, v in os.environ.items() if k not in cleared}
    tools = ROOT / ".tools" / "node_modules" / ".bin"
    venv_bin = Path(sys.executable).parent
    env["PATH"] = os.pathsep.join([str(tools), str(venv_bin), env.get("PATH", "")])
    env.update(
        {
            "REFLEX_USE_SYSTEM_BUN": "1",
            "REFLEX_CHECK_LATEST_VERSION": "0",
            "REFLEX_TELEMETRY_ENABLED": "false",
            "PYTHONUNBUFFERED": "1",
            "PORTAL_DATA_DIR": str(data_dir),
            "DATABASE_URL": f"sqlite:///{data_dir / 'portal.db'}",
            "SITE_URL": f"http://localhost:{port}",
            # each server builds its frontend into its own folder: never clobber `make run`'s .web
            "REFLEX_WEB_WORKDIR": str(ROOT / f".web-{name}"),
        }
    )
    env.update(extra)
    return env


def _reflex_command() -> list[str]:
    reflex = Path(sys.executable).parent / "reflex"
    prefix = [str(reflex)] if reflex.exists() else [sys.executable, "-m", "reflex"]
    return prefix


def start_server(name: str, tmp_dir: Path, extra_env: dict[str, str] | None = None) -> Server:
    """Migrate, load the demo data, start the prod server and wait until pages and websocket answer."""
    data_dir = tmp_dir / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = _server_env(name, data_dir, port, extra_env or {})
    server = Server(name=name, port=port, data_dir=data_dir, log_path=tmp_dir / "server.log", env=env)
    with open(server.log_path, "ab") as log:
        for step in (["-m", "alembic", "upgrade", "head"], ["-m", "portal.demo"]):
            log.write(f"$ python {' '.join(step)}\n".encode())
            log.flush()
            done = subprocess.run([sys.executable, *step], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=180)
            if done.returncode != 0:
                pytest.fail(f"{name} server: `python {' '.join(step)}` failed:\n{server.log_tail()}", pytrace=False)
        cmd = [*_reflex_command(), "run", "--env", "prod", "--single-port",
               "--backend-port", str(port), "--backend-host", "127.0.0.1", "--loglevel", "info"]
        log.write(f"$ {' '.join(cmd)}\n".encode())
        log.flush()
        server.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    _RUNNING.append(server)
    try:
        _wait_until_ready(server)
    except BaseException:
        stop_server(server)
        raise
    return server


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _wait_until_ready(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            pytest.fail(
                f"{server.name} server exited with {server.proc.returncode} during start. Log tail ({server.log_path}):\n"
                f"{server.log_tail()}",
                pytrace=False,
            )
        if _http_ok(f"{server.base_url}/login/") and _http_ok(f"{server.base_url}/ping"):
            return
        time.sleep(1)
    pytest.fail(
        f"{server.name} server did not answer within {START_TIMEOUT} s. Log tail ({server.log_path}):\n{server.log_tail()}",
        pytrace=False,
    )


def stop_server(server: Server) -> None:
    """SIGTERM to the whole process group (reflex, granian workers, bun), then SIGKILL."""
    proc = server.proc
    if proc is None or proc.poll() is not None and not _group_alive(proc.pid):
        return
    for sig, grace in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and _group_alive(proc.pid):
            try:
                proc.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                pass
        if not _group_alive(proc.pid):
            break
    if server in _RUNNING:
        _RUNNING.remove(server)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # zombies of our own child count as gone
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                return True
    return False


_RUNNING: list[Server] = []  # servers started by this test session, for the log checks


# ---------------------------------------------------------------------------------------------
# the browser
# ---------------------------------------------------------------------------------------------


def chromium_executable() -> str | None:
    """Debian's Chromium when the machine has one; else Playwright's own download."""
    for candidate in ("/usr/bin/chromium", shutil.which("chromium") or "", shutil.which("chromium-browser") or ""):
        if candidate and Path(candidate).exists():
            return candidate
    return None


class Watch:
    """What one page received over its websockets (every state update the server sent)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.sockets: list[dict] = []
        self.frames: list[str] = []
        page.on("websocket", self._on_websocket)

    def _on_websocket(self, ws) -> None:
        record = {"url": ws.url, "updates": 0}
        self.sockets.append(record)

        def on_frame(payload) -> None:
            text = payload if isinstance(payload, str) else bytes(payload).decode("utf-8", "replace")
            self.frames.append(text)
            if text.startswith("42"):  # a Socket.IO event: a state update
                record["updates"] += 1

        ws.on("framereceived", on_frame)

    def received(self, needle: str) -> list[str]:
        return [f[:300] for f in self.frames if needle in f]


WATCHES: dict[int, Watch] = {}


def watch(page: Page) -> Watch:
    """The page's Watch (attached when the page was opened by ``new_page``)."""
    return WATCHES[id(page)]


def new_page(context: BrowserContext) -> Page:
    page = context.new_page()
    WATCHES[id(page)] = Watch(page)
    page.on("close", lambda p: WATCHES.pop(id(p), None))
    return page


def wait_for_update(page: Page, since_sockets: int = 0, timeout: float = 20) -> None:
    """Wait until a websocket opened after the first ``since_sockets`` delivered a state update."""
    w = watch(page)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(s["updates"] for s in w.sockets[since_sockets:]):
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"{page.url}: no state update over the websocket within {timeout} s")


def open_page(page: Page, url: str) -> None:
    """Load ``url`` in full and wait until the app is hydrated (its websocket sent state)."""
    before = len(watch(page).sockets)
    page.goto(url)
    wait_for_update(page, before)


def login(page: Page, base_url: str, email_address: str, password: str = DEMO_PASSWORD, lang: str = "nl") -> None:
    """Fill in and submit the login form (does not wait for where it leads)."""
    text = TEXT[lang]
    open_page(page, f"{base_url}/login")
    # the page tells the auth routes its language through <html lang>, set by a script after hydration
    expect(page.locator("html")).to_have_attribute("lang", lang)
    page.get_by_label(text["email"], exact=True).fill(email_address)
    page.get_by_label(text["password"], exact=True).fill(password)
    page.get_by_role("button", name=text["login"], exact=True).click()


def login_as(page: Page, base_url: str, email_address: str, landing: str, password: str = DEMO_PASSWORD, lang: str = "nl") -> None:
    """Log in and wait for the landing page to be loaded and hydrated."""
    before = len(watch(page).sockets)
    login(page, base_url, email_address, password, lang)
    expect(page).to_have_url(path_re(landing))
    wait_for_update(page, before + 1)


def logout(page: Page, viewport: str, lang: str = "nl") -> None:
    """Log out with the visible 'Uitloggen' button (phone: on Mijn gegevens; desktop: the sidebar)."""
    if viewport == "phone" and not path_re("/mijn-gegevens").match(page.url):
        nav = page.get_by_role("navigation")
        link = nav.get_by_role("link", name=TEXT[lang]["profile"]).filter(visible=True)
        more = nav.get_by_role("button", name={"nl": "Meer", "en": "More"}[lang]).filter(visible=True)
        expect(link.or_(more).first).to_be_visible()  # the bottom bar is there (a client's tab or the staff's "Meer")
        if link.count():
            link.click()
        else:  # staff: Mijn gegevens is under the phone's "Meer" tab
            more.click()
            page.get_by_role("menuitem", name=TEXT[lang]["profile"]).click()
        expect(page).to_have_url(path_re("/mijn-gegevens"))
    # Logging out wipes the tab's state (the app may route to /login at once) and then loads /login in
    # full: wait for that new document (a flag set on this window is gone), or the caller's next
    # navigation races it and is aborted.
    page.evaluate("window.__portalBeforeLogout = true")
    page.get_by_role("button", name=TEXT[lang]["logout"]).filter(visible=True).first.click()
    page.wait_for_function("!window.__portalBeforeLogout")
    expect(page).to_have_url(path_re("/login"))
    expect(page.get_by_role("button", name=TEXT[lang]["login"], exact=True)).to_be_visible()


def tile(page: Page, label: str, count: int):
    """The Home tile whose accessible name is its count followed by its label ("2 Dossiers ...")."""
    return page.get_by_role("link", name=re.compile(rf"^{count}\s*{label}\b"))


def session_cookie(context: BrowserContext) -> dict | None:
    return next((c for c in context.cookies() if c["name"] == "portal_session"), None)


def content(page: Page) -> str:
    """``page.content()``, retried while the page is in the middle of a navigation."""
    for _ in range(100):
        try:
            return page.content()
        except PlaywrightError as exc:
            if "navigating" not in str(exc):
                raise
            page.wait_for_timeout(50)
    return page.content()


# ---------------------------------------------------------------------------------------------
# privacy: text that must never reach a page
# ---------------------------------------------------------------------------------------------

_LEAK_SCRIPT = """
(() => {
  const forbidden = %s;
  const report = (where) => {
    const html = document.documentElement ? document.documentElement.outerHTML : "";
    for (const text of forbidden) {
      if (html.includes(text) && window.__portalLeak) window.__portalLeak(text, location.href, where);
    }
  };
  new MutationObserver(() => report("mutation")).observe(document, {subtree: true, childList: true, characterData: true, attributes: true});
  window.addEventListener("pageshow", (e) => report(e.persisted ? "pageshow-bfcache" : "pageshow"));
  document.addEventListener("DOMContentLoaded", () => report("domcontentloaded"));
})();
"""


class LeakWatch:
    """Reports every moment any page of a context had one of ``forbidden`` in its DOM."""

    def __init__(self, context: BrowserContext, forbidden: list[str]) -> None:
        self.forbidden = forbidden
        self.leaks: list[tuple[str, str, str]] = []
        context.expose_function("__portalLeak", self._report)
        context.add_init_script(_LEAK_SCRIPT % json.dumps(forbidden))

    def _report(self, text: str, url: str, where: str) -> None:
        self.leaks.append((text, url, where))

    def assert_clean(self, page: Page) -> None:
        page.wait_for_timeout(100)  # let pending reports arrive
        html = content(page)
        shown = [text for text in self.forbidden if text in html]
        assert not shown, f"{page.url} shows {shown}"
        assert not self.leaks, f"private text appeared in a page: {self.leaks[:5]}"


# ---------------------------------------------------------------------------------------------
# accessibility and screenshots
# ---------------------------------------------------------------------------------------------


def assert_no_axe_violations(page: Page, what: str = "") -> None:
    """axe-core (WCAG 2 A/AA and best practices) finds nothing on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    # a dialog that is still fading in has faded colours: axe would measure those (on a loaded machine it can)
    page.wait_for_function(
        "document.getAnimations().every(a => a.playState !== 'running' || a.effect.getComputedTiming().iterations === Infinity)",
        timeout=5000,
    )
    results = Axe().run(page)
    if results.violations_count:
        lines = [f"axe: {results.violations_count} violation(s) on {what or page.url}:"]
        for violation in results.response["violations"]:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"][:5]:
                lines.append(f"    at {', '.join(map(str, node['target']))}")
                lines.append(f"       {node.get('html', '')[:200]}")
                if node.get("failureSummary"):
                    lines.append("       " + node["failureSummary"].replace("\n", "\n       "))
        pytest.fail("\n".join(lines), pytrace=False)


def screenshot(page: Page, name: str) -> None:
    """Save a full-page screenshot to $SCREENSHOT_DIR (nothing happens when it is not set)."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    # a phone shot is what the screen shows (a full-page shot would paint the fixed tab bar mid-page)
    full_page = (page.viewport_size or {}).get("width", 1280) >= 768
    page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=full_page)
