"""Benchmark: what one click on the dossier page costs, next to a bare Reflex app on the same machine.

Starts the portal (production build, SQLite, demo data, one worker) and a bare Reflex app (a tiny app written
to a temporary folder: one state, one handler that changes one var) and drives both over Reflex's websocket
protocol (Engine.IO 4 / Socket.IO, the frames a browser sends) with N Python clients. The portal's event is a
click on the dossier page's phase bar (``select_phase``, alternating between two reached phases) by a signed-in
client (Alice); the bare app's is its one handler. Rounds are interleaved (portal, bare, portal, bare, ...).

Prints, per app and as portal / bare ratios:
  * round trip p50/p95 with 1 client and with 50 clients (each sends its next event when the answer came);
  * the most events/s one worker answers (50 clients sending back to back);
  * p95 with 200 clients sending 1 event/s each;
  * the bytes of one event's answer frame, and of the hydrate beyond the language catalog: as a browser's first
    load gets it (it sends the hashes of the state its compiled page holds, and Reflex leaves out what the page
    already has) and as a reconnect gets it (in full).

    .venv/bin/python benchmarks/events.py [--rounds 5] [--seconds 4]

Goals (issue 15): p95 <= 3x bare at 1 and 50 clients; >= 1,000 events/s per worker; 200 clients at 1/s p95
< 50 ms; event frames carry only what changed (the catalog never, except on a language change); hydrate
< 15 KB beyond the catalog.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from contextlib import closing
from pathlib import Path

import aiohttp
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.helpers import DEMO_PASSWORD, Server, _server_env, free_port, start_server, stop_server  # noqa: E402

PORTAL_EVENT = ("reflex___state____state.portal___ui___state____app_state."
                "portal___ui___pages___dossier____dossier_state.select_phase")
BARE_EVENT = "reflex___state____state.bare___bare____bench_state.click"
HYDRATE = "reflex___state____state.hydrate_and_load"

BARE_APP = '''
import reflex as rx


class BenchState(rx.State):
    title: str = ""
    phase: str = ""
    count: int = 0

    @rx.event
    def on_load(self):
        self.title = "Dossier"

    @rx.event
    def click(self, phase: str):
        self.phase = phase
        self.count += 1


def index() -> rx.Component:
    return rx.box(rx.heading(BenchState.title), rx.text(BenchState.phase), rx.text(BenchState.count),
                  rx.button("a", on_click=BenchState.click("a")))


app = rx.App()
app.add_page(index, route="/dossiers/[id]", on_load=BenchState.on_load)
app.add_page(index, route="/")
'''


# -- the servers --------------------------------------------------------------------------------------------
def start_bare(tmp: Path) -> Server:
    """The bare app: written to ``tmp``, built and served like the portal (prod, single port, memory state)."""
    app_dir = tmp / "bare"
    (app_dir / "bare").mkdir(parents=True)
    (app_dir / "bare" / "__init__.py").write_text("")
    (app_dir / "bare" / "bare.py").write_text(BARE_APP)
    port = free_port()
    (app_dir / "rxconfig.py").write_text(textwrap.dedent(f'''
        import reflex as rx
        config = rx.Config(app_name="bare", state_manager_mode="memory", telemetry_enabled=False,
                           show_built_with_reflex=False, cors_allowed_origins=["http://localhost:{port}"],
                           api_url="http://localhost:{port}", deploy_url="http://localhost:{port}",
                           disable_plugins=[rx.plugins.SitemapPlugin])
    '''))
    env = _server_env("bench-bare", tmp / "data", port, {"REFLEX_WEB_WORKDIR": str(app_dir / ".web")})
    server = Server(name="bare", port=port, data_dir=tmp / "data", log_path=tmp / "bare.log", env=env)
    cmd = [str(Path(sys.executable).parent / "reflex"), "run", "--env", "prod", "--single-port",
           "--backend-port", str(port), "--backend-host", "127.0.0.1", "--loglevel", "warning"]
    with open(server.log_path, "ab") as log:
        server.proc = subprocess.Popen(cmd, cwd=app_dir, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"bare app exited:\n{server.log_tail()}")
        try:
            if requests.get(f"{server.base_url}/ping", timeout=2).status_code == 200 and \
                    requests.get(f"{server.base_url}/", timeout=2).status_code == 200:
                return server
        except requests.RequestException:
            pass
        time.sleep(1)
    raise RuntimeError(f"bare app did not start:\n{server.log_tail()}")


# -- one websocket client speaking Reflex's protocol ----------------------------------------------------------
class Client:
    """A browser tab as the server sees it: Engine.IO 4 websocket, the /_event namespace, one token."""

    def __init__(self, http: aiohttp.ClientSession, base: str, path: str, cookie: str, event: str, args: list[str],
                 hashes: list[str] | None = None):
        self.http, self.base, self.path, self.cookie, self.event, self.args = http, base, path, cookie, event, args
        self.hashes = hashes  # the compiled page's state hashes, as a browser sends them on a first load
        self.token = str(uuid.uuid4())
        self.hydrate_bytes = 0
        self.hydrate_frames: list[str] = []
        self.last_frame = ""
        self.n = 0

    def _router(self) -> dict:
        return {"pathname": self.path, "asPath": self.path}

    async def connect(self) -> None:
        url = self.base.replace("http", "ws", 1) + f"/_event/?token={self.token}&EIO=4&transport=websocket"
        headers = {"Origin": self.base}
        if self.cookie:
            headers["Cookie"] = self.cookie
        self.ws = await self.http.ws_connect(url, headers=headers, max_msg_size=0, autoping=False)
        await self._recv_raw()  # the Engine.IO open packet
        payload = {"hashes": self.hashes} if self.hashes else {}
        boot = {"event": {"name": HYDRATE, "payload": payload, "router_data": self._router()}}
        await self.ws.send_str("40/_event," + json.dumps(boot))
        # the namespace ack, then updates until the page is loaded (no frame for a moment)
        while True:
            try:
                frame = await asyncio.wait_for(self._recv_raw(), 1.5)
            except asyncio.TimeoutError:
                break
            if frame.startswith("42"):
                self.hydrate_bytes += len(frame.encode())
                self.hydrate_frames.append(frame)

    async def _recv_raw(self) -> str:
        while True:
            msg = await self.ws.receive()
            if msg.type != aiohttp.WSMsgType.TEXT:
                raise RuntimeError(f"websocket closed: {msg}")
            if msg.data == "2":  # Engine.IO ping
                await self.ws.send_str("3")
                continue
            return msg.data

    async def click(self) -> float:
        """Send one event; the seconds until its state update arrived."""
        self.n += 1
        event = {"name": self.event, "payload": {"phase": self.args[self.n % len(self.args)]}, "router_data": self._router()}
        started = time.perf_counter()
        await self.ws.send_str("42/_event," + json.dumps(["event", event]))
        while True:
            frame = await self._recv_raw()
            if frame.startswith("42"):
                self.last_frame = frame
                return time.perf_counter() - started

    async def close(self) -> None:
        await self.ws.close()


def page_hashes(web_dir: Path) -> list[str]:
    """The state hashes a compiled page holds and a browser sends with its first hydrate (Reflex writes them
    into the frontend's ``utils/context`` module at build time)."""
    source = next(web_dir.glob("utils/context.js*")).read_text(encoding="utf-8")
    found = re.search(r"initialStateHashes = (\[[^\]]*\])", source)
    return json.loads(found.group(1)) if found else []


class App:
    def __init__(self, name: str, server: Server, path: str, cookie: str, event: str, args: list[str], web_dir: Path):
        self.name, self.server, self.path, self.cookie, self.event, self.args = name, server, path, cookie, event, args
        self.hashes = page_hashes(web_dir)
        self.clients: list[Client] = []
        self.results: dict[str, list[float]] = {}

    def client(self, http: aiohttp.ClientSession, first_load: bool = True) -> Client:
        return Client(http, self.server.base_url, self.path, self.cookie, self.event, self.args,
                      self.hashes if first_load else None)

    async def open(self, http: aiohttp.ClientSession, n: int) -> None:
        while len(self.clients) < n:
            batch = [self.client(http) for _ in range(min(20, n - len(self.clients)))]
            await asyncio.gather(*(c.connect() for c in batch))
            self.clients.extend(batch)

    def add(self, key: str, value: float) -> None:
        self.results.setdefault(key, []).append(value)


async def closed_loop(clients: list[Client], seconds: float) -> tuple[list[float], int]:
    """Each client sends its next event as soon as the last was answered; (round trips, events answered)."""
    times: list[float] = []
    stop = time.perf_counter() + seconds

    async def run(c: Client) -> None:
        while time.perf_counter() < stop:
            times.append(await c.click())

    await asyncio.gather(*(run(c) for c in clients))
    return times, len(times)


async def paced(clients: list[Client], seconds: float, rate: float = 1.0) -> list[float]:
    """Each client sends ``rate`` events per second (spread over the second)."""
    times: list[float] = []

    async def run(c: Client) -> None:
        await asyncio.sleep(random.random() / rate)
        for _ in range(int(seconds * rate)):
            started = time.perf_counter()
            times.append(await c.click())
            await asyncio.sleep(max(0.0, 1 / rate - (time.perf_counter() - started)))

    await asyncio.gather(*(run(c) for c in clients))
    return times


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


async def one_round(app: App, seconds: float) -> None:
    single = [await app.clients[0].click() for _ in range(150)]
    app.add("p50_1", pct(single, 50))
    app.add("p95_1", pct(single, 95))
    times, _ = await closed_loop(app.clients[:50], seconds / 2)
    app.add("p50_50", pct(times, 50))
    app.add("p95_50", pct(times, 95))
    times, answered = await closed_loop(app.clients[:50], seconds)
    app.add("events_s", answered / seconds)
    app.add("p95_200x1", pct(await paced(app.clients[:200], max(5.0, seconds * 2)), 95))


def catalog_bytes(frames: list[str]) -> int:
    """The bytes of the language catalog (AppState.t) in hydrate frames."""
    total = 0
    for frame in frames:
        payload = json.loads(frame[frame.index("["):])[1]
        for substate in payload.get("delta", {}).values():
            for key, value in substate.items():
                if key.startswith("t_rx_state_") or key == "t":
                    total += len(json.dumps(value, ensure_ascii=False).encode())
    return total


async def bench(portal: App, bare: App, rounds: int, seconds: float) -> None:
    conn = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=conn) as http:
        for app in (portal, bare):
            await app.open(http, 200)
        for r in range(rounds):
            for app in (portal, bare) if r % 2 == 0 else (bare, portal):
                await one_round(app, seconds)
            print(f"  round {r + 1}/{rounds} done", flush=True)
        for app in (portal, bare):
            c = app.clients[0]
            await c.click()
            app.results["frame_bytes"] = [len(c.last_frame.encode())]
            app.results["hydrate_bytes"] = [c.hydrate_bytes]
            app.results["catalog_bytes"] = [catalog_bytes(c.hydrate_frames)]
            app.sample_frame = c.last_frame
            reconnect = app.client(http, first_load=False)
            await reconnect.connect()
            app.results["rehydrate_bytes"] = [reconnect.hydrate_bytes]
            app.results["recatalog_bytes"] = [catalog_bytes(reconnect.hydrate_frames)]
            await asyncio.gather(*(c.close() for c in [*app.clients, reconnect]))


def report(portal: App, bare: App) -> None:
    rows = [
        ("round trip p50, 1 client (ms)", "p50_1"), ("round trip p95, 1 client (ms)", "p95_1"),
        ("round trip p50, 50 clients (ms)", "p50_50"), ("round trip p95, 50 clients (ms)", "p95_50"),
        ("events/s, one worker (50 clients, back to back)", "events_s"),
        ("p95, 200 clients at 1 event/s (ms)", "p95_200x1"),
        ("bytes of one event's answer frame", "frame_bytes"),
        ("bytes of the hydrate, first load (with hashes)", "hydrate_bytes"),
        ("  of which the language catalog", "catalog_bytes"),
        ("bytes of the hydrate, reconnect (in full)", "rehydrate_bytes"),
        ("  of which the language catalog", "recatalog_bytes"),
    ]
    print(f"\n{'':<50} {'portal':>10} {'bare':>10} {'ratio':>7}")
    for label, key in rows:
        p, b = statistics.median(portal.results[key]), statistics.median(bare.results[key])
        print(f"{label:<50} {p:>10.1f} {b:>10.1f} {p / b if b else float('nan'):>6.2f}x")
    for label, full, cat in (("first load", "hydrate_bytes", "catalog_bytes"), ("reconnect", "rehydrate_bytes", "recatalog_bytes")):
        beyond = statistics.median(portal.results[full]) - statistics.median(portal.results[cat])
        print(f"{'portal hydrate beyond the catalog, ' + label + ' (bytes)':<50} {beyond:>10.0f}")
    med = lambda app, key: statistics.median(app.results[key])  # noqa: E731
    first_beyond = med(portal, "hydrate_bytes") - med(portal, "catalog_bytes")
    goals = [
        ("p95, 1 client <= 3x bare", med(portal, "p95_1") <= 3 * med(bare, "p95_1")),
        ("p95, 50 clients <= 3x bare", med(portal, "p95_50") <= 3 * med(bare, "p95_50")),
        (">= 1,000 events/s per worker", med(portal, "events_s") >= 1000),
        ("200 clients at 1/s: p95 < 50 ms", med(portal, "p95_200x1") < 50),
        ("answer frame without the catalog", "t_rx_state_" not in portal.sample_frame),
        ("first-load hydrate < 15 KB beyond the catalog", first_beyond < 15 * 1024),
    ]
    print("\ngoals (issue 15):")
    for label, holds in goals:
        print(f"  {label:<50} {'holds' if holds else 'DOES NOT HOLD'}")
    print(f"\none portal answer frame: {portal.sample_frame[:600]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=4.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="portal-events-") as tmp_name:
        tmp = Path(tmp_name)
        print("starting the portal and the bare app (prod builds) ...", flush=True)
        portal_server = start_server("bench-events", tmp / "portal")
        try:
            bare_server = start_bare(tmp)
        except BaseException:
            stop_server(portal_server)
            raise
        try:
            base = portal_server.base_url
            s = requests.Session()
            s.post(f"{base}/auth/login", json={"email": "alice@example.nl", "password": DEMO_PASSWORD},
                   headers={"Origin": base}, timeout=30).raise_for_status()
            cookie = "; ".join(f"{k}={v}" for k, v in s.cookies.items())
            with closing(sqlite3.connect(f"file:{portal_server.data_dir / 'portal.db'}?mode=ro", uri=True)) as con:
                dossier_id = con.execute("SELECT id FROM dossier WHERE reference = 'HYP-2026-0142'").fetchone()[0]
            portal = App("portal", portal_server, f"/dossiers/{dossier_id}", cookie, PORTAL_EVENT, ["aanvraag", "r_aanbod"],
                         Path(portal_server.env["REFLEX_WEB_WORKDIR"]))
            bare = App("bare", bare_server, "/dossiers/1", "", BARE_EVENT, ["aanvraag", "r_aanbod"],
                       Path(bare_server.env["REFLEX_WEB_WORKDIR"]))
            asyncio.run(bench(portal, bare, args.rounds, args.seconds))
            report(portal, bare)
        finally:
            stop_server(portal_server)
            stop_server(bare_server)


if __name__ == "__main__":
    main()
