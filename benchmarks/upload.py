"""Benchmark: uploads through the real server, against a plain Starlette endpoint in the same run.

Starts the production server (its own data dir, SQLite, demo data) and the plain endpoint
(benchmarks/plain_upload.py: streams the body to a file and fsyncs it), logs in as the demo client,
then, round after round, uploads a 250 MB PDF and 20 phone-size photos (12-megapixel JPEGs with EXIF;
random detail makes them ~7 MB and slow to decode: a worst case) to an open item through
``POST /uploads/<id>``, and the same files to the plain endpoint. Each round alternates which goes first;
what was staged is removed between rounds (outside the timing).

What is printed, per round and as the median of the rounds:

- throughput: bytes / time until every POST was answered, file after file: the speed the client sees.
  A photo is answered once it is on disk and its header passed the checks; it is cleaned (decoded,
  re-encoded without EXIF/GPS, scaled, preview made) by a background worker afterwards;
- "ready": time from the first byte until every photo is cleaned, i.e. until Bevestigen can send them;
- the backend's peak memory growth (RSS of the server processes, sampled every 20 ms) until ready.

    .venv/bin/python benchmarks/upload.py [--pdf-mb 250] [--photos 20] [--rounds 5]

Targets: memory growth under 30 MB whatever the file size; throughput at least half the plain one.
The machine's other work shows up in single rounds: compare the medians.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_rss(pid: int) -> int:
    """Resident memory (bytes) of a process and all its descendants."""
    total = 0
    pids = [pid]
    while pids:
        p = pids.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
            for task in Path(f"/proc/{p}/task").iterdir():  # the children of every thread, not only the main one's
                pids.extend(int(c) for c in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


class Sampler:
    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self.base = tree_rss(pid)

    def __enter__(self):
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            time.sleep(0.02)

    def __exit__(self, *exc):
        self._stop.set()
        self.thread.join()

    @property
    def growth_mb(self) -> float:
        return max(0, self.peak - self.base) / 1e6


def make_pdf(path: Path, mb: int) -> None:
    """A valid PDF of about ``mb`` megabytes (one page, a big image-like stream)."""
    chunk = os.urandom(1024 * 1024)
    with open(path, "wb") as fh:
        fh.write(b"%PDF-1.4\n")
        offsets = []
        offsets.append(fh.tell()); fh.write(b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n")
        offsets.append(fh.tell()); fh.write(b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n")
        offsets.append(fh.tell()); fh.write(b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >> endobj\n")
        length = mb * 1024 * 1024
        offsets.append(fh.tell()); fh.write(b"4 0 obj << /Length %d >> stream\n" % length)
        for _ in range(mb):
            fh.write(chunk)
        fh.write(b"\nendstream endobj\n")
        xref = fh.tell()
        fh.write(b"xref\n0 5\n0000000000 65535 f \n")
        for off in offsets:
            fh.write(b"%010d 00000 n \n" % off)
        fh.write(b"trailer << /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref)


def make_photo(seed: int) -> bytes:
    from PIL import Image

    img = Image.frombytes("RGB", (4032, 3024), os.urandom(4032 * 3024 * 3)[: 4032 * 3024 * 3]).resize((4032, 3024))
    exif = Image.Exif()
    exif[0x010F] = "BenchPhone"
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=70, exif=exif)
    return out.getvalue()


def wait_for(url: str, timeout: float = 600) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    raise RuntimeError(f"{url} did not come up")


def upload_all(url: str, files: list[tuple[str, Path]], headers: dict) -> tuple[float, int]:
    """POST the files one after another; (seconds until the last answer, bytes)."""
    total, t0 = 0, time.perf_counter()
    for name, path in files:
        with open(path, "rb") as fh:
            r = requests.post(url, data=fh, headers={**headers, "X-Upload-Name": name}, timeout=600)
        if r.status_code != 200:
            raise RuntimeError(f"upload of {name} failed: {r.status_code} {r.text[:200]}")
        total += path.stat().st_size
    return time.perf_counter() - t0, total


class Portal:
    """The real server, signed in as the demo client, uploading to one open item."""

    def __init__(self, work: Path, pdf_mb: int) -> None:
        self.port = free_port()
        self.site = f"http://localhost:{self.port}"
        self.env = {**os.environ, "PORTAL_DATA_DIR": str(work / "data"), "DATABASE_URL": f"sqlite:///{work}/data/portal.db",
                    "SITE_URL": self.site, "UPLOAD_MAX_BYTES": str((pdf_mb + 10) * 1024 * 1024),
                    "REFLEX_WEB_WORKDIR": str(ROOT / ".web-bench"), "REFLEX_USE_SYSTEM_BUN": "1", "MALLOC_ARENA_MAX": "2",
                    "PATH": f"{ROOT}/.tools/node_modules/.bin:{ROOT}/.venv/bin:" + os.environ.get("PATH", "")}
        (work / "data").mkdir()
        for step in (["-m", "alembic", "upgrade", "head"], ["-m", "portal.demo"]):
            subprocess.run([sys.executable, *step], cwd=ROOT, env=self.env, check=True, capture_output=True)
        self.log = work / "server.log"
        self.proc = subprocess.Popen(
            [str(ROOT / ".venv/bin/reflex"), "run", "--env", "prod", "--single-port", "--backend-port", str(self.port),
             "--backend-host", "127.0.0.1"], cwd=ROOT, env=self.env, stdout=open(self.log, "wb"), stderr=subprocess.STDOUT,
            start_new_session=True)

    def sign_in(self) -> None:
        wait_for(self.site + "/login")
        s = requests.Session()
        s.post(self.site + "/auth/login", json={"email": "alice@example.nl", "password": "portal-demo-2026"},
               headers={"Origin": self.site}).raise_for_status()
        cookie = s.cookies.get("portal_session")
        os.environ.update({k: self.env[k] for k in ("PORTAL_DATA_DIR", "DATABASE_URL")})
        from sqlmodel import select

        from portal.db.engine import session_scope
        from portal.db.models import DocumentRequest
        from portal.domain import auth

        self.actor = auth.resolve_session(cookie)
        with session_scope() as db:
            self.item = db.exec(select(DocumentRequest).where(DocumentRequest.title == "Kopie legitimatiebewijs")).first().id
        self.url = f"{self.site}/uploads/{self.item}"
        self.headers = {"Origin": self.site, "Cookie": f"portal_session={cookie}", "Content-Type": "application/octet-stream"}

    def processing(self) -> int:
        from portal.domain import deliveries

        return sum(s.state == deliveries.PROCESSING for s in deliveries.list_staged(self.actor, self.item))

    def clear(self) -> None:
        from portal.domain import deliveries

        for s in deliveries.list_staged(self.actor, self.item):
            deliveries.remove_staged(self.actor, s.id)


def measure_portal(portal: Portal, files) -> tuple[float, float, int, float]:
    """(seconds until every POST was answered, seconds until every photo was cleaned, bytes, memory growth MB)."""
    with Sampler(portal.proc.pid) as sampler:
        t0 = time.perf_counter()
        answered, size = upload_all(portal.url, files, portal.headers)
        while portal.processing():
            time.sleep(0.02)
        ready = time.perf_counter() - t0
    portal.clear()
    return answered, ready, size, sampler.growth_mb


def measure_plain(plain: subprocess.Popen, url: str, files) -> tuple[float, int, float]:
    with Sampler(plain.pid) as sampler:
        seconds, size = upload_all(url, files, {})
    return seconds, size, sampler.growth_mb


def start_plain(work: Path, env: dict) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([str(ROOT / ".venv/bin/granian"), "--interface", "asgi", "--host", "127.0.0.1", "--port", str(port),
                             "benchmarks.plain_upload:app"], cwd=ROOT, env={**env, "PLAIN_UPLOAD_DIR": str(work)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.3)
    return proc, f"http://127.0.0.1:{port}/upload"


def report(label: str, portal: list, plain: list) -> None:
    """One line: medians over the rounds (portal: answered, ready, bytes, memory; plain: seconds, bytes, memory)."""
    size = portal[0][2]
    answered = statistics.median(r[0] for r in portal)
    ready = statistics.median(r[1] for r in portal)
    base = statistics.median(r[0] for r in plain)
    print(f"{label:<11} portal {size / 1e6 / answered:7.1f} MB/s ({answered:5.2f} s)   plain {size / 1e6 / base:7.1f} MB/s"
          f" ({base:5.2f} s)   portal/plain {base / answered:5.0%}   ready after {ready:5.2f} s ({size / 1e6 / ready:6.1f} MB/s)"
          f"   memory growth: portal {max(r[3] for r in portal):5.1f} MB, plain {max(r[2] for r in plain):5.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pdf-mb", type=int, default=250)
    parser.add_argument("--photos", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="portal-bench-upload-"))
    procs = []
    try:
        pdf = work / "big.pdf"
        make_pdf(pdf, args.pdf_mb)
        photos = []
        for i in range(args.photos):
            p = work / f"photo{i}.jpg"
            p.write_bytes(make_photo(i))
            photos.append((p.name, p))
        print(f"files: one {pdf.stat().st_size / 1e6:.0f} MB PDF, {args.photos} photos of ~{photos[0][1].stat().st_size / 1e6:.1f} MB")
        portal = Portal(work, args.pdf_mb)
        procs.append(portal.proc)
        plain, plain_url = start_plain(work, portal.env)
        procs.append(plain)
        portal.sign_in()
        time.sleep(2)
        results = {"PDF": ([], []), "photos": ([], [])}
        for n in range(args.rounds):
            for label, files in (("PDF", [("groot.pdf", pdf)]), ("photos", photos)):
                mine, theirs = results[label]
                for who in ("portal", "plain") if n % 2 == 0 else ("plain", "portal"):
                    if who == "portal":
                        mine.append(measure_portal(portal, files))
                    else:
                        theirs.append(measure_plain(plain, plain_url, files))
                answered, ready, size, _ = mine[-1]
                print(f"round {n + 1} {label:<7} portal {size / 1e6 / answered:7.1f} MB/s, ready after {ready:5.2f} s;"
                      f" plain {size / 1e6 / theirs[-1][0]:7.1f} MB/s", flush=True)
        print(f"median of {args.rounds} rounds:")
        report("250 MB PDF" if args.pdf_mb == 250 else f"{args.pdf_mb} MB PDF", *results["PDF"])
        report(f"{args.photos} photos", *results["photos"])
    finally:
        for p in procs:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
        if os.environ.get("BENCH_LOG"):
            print((work / "server.log").read_text(errors="replace")[-3000:])
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
