"""Benchmark: uploads through the real server, against a plain Starlette endpoint in the same run.

Starts the production server (its own data dir, SQLite, demo data), logs in as the demo client,
then uploads a 250 MB PDF and 20 phone-size photos (about 4 MB JPEGs with EXIF) to an open item
through ``POST /uploads/<id>``. Prints throughput and the backend's peak memory growth (RSS of the
server processes, sampled every 20 ms), then the same for a plain Starlette endpoint that only
streams the body to disk.

    .venv/bin/python benchmarks/upload.py [--pdf-mb 250] [--photos 20]

Targets: memory growth under 30 MB whatever the file size; throughput at least half the plain one.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import signal
import socket
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
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
            pids.extend(int(c) for c in children)
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


def upload_all(base: str, path_for, files: list[tuple[str, Path]], headers: dict) -> tuple[float, int]:
    total, t0 = 0, time.perf_counter()
    for name, path in files:
        with open(path, "rb") as fh:
            r = requests.post(base + path_for(), data=fh, headers={**headers, "X-Upload-Name": name}, timeout=600)
        if r.status_code != 200:
            raise RuntimeError(f"upload of {name} failed: {r.status_code} {r.text[:200]}")
        total += path.stat().st_size
    return time.perf_counter() - t0, total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pdf-mb", type=int, default=250)
    parser.add_argument("--photos", type=int, default=20)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="portal-bench-upload-"))
    procs = []
    try:
        pdf = work / "big.pdf"
        make_pdf(pdf, args.pdf_mb)
        photo_paths = []
        for i in range(args.photos):
            p = work / f"photo{i}.jpg"
            p.write_bytes(make_photo(i))
            photo_paths.append(p)
        print(f"files: one {pdf.stat().st_size / 1e6:.0f} MB PDF, {args.photos} photos of ~{photo_paths[0].stat().st_size / 1e6:.1f} MB")

        port = free_port()
        site = f"http://localhost:{port}"
        env = {**os.environ, "PORTAL_DATA_DIR": str(work / "data"), "DATABASE_URL": f"sqlite:///{work}/data/portal.db",
               "SITE_URL": site, "UPLOAD_MAX_BYTES": str((args.pdf_mb + 10) * 1024 * 1024),
               "REFLEX_WEB_WORKDIR": str(ROOT / ".web-bench"), "REFLEX_USE_SYSTEM_BUN": "1", "MALLOC_ARENA_MAX": "2",
               "PATH": f"{ROOT}/.tools/node_modules/.bin:{ROOT}/.venv/bin:" + os.environ.get("PATH", "")}
        (work / "data").mkdir()
        subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=ROOT, env=env, check=True, capture_output=True)
        subprocess.run([sys.executable, "-m", "portal.demo"], cwd=ROOT, env=env, check=True, capture_output=True)
        log = open(work / "server.log", "wb")
        server = subprocess.Popen([str(ROOT / ".venv/bin/reflex"), "run", "--env", "prod", "--single-port", "--backend-port", str(port),
                                   "--backend-host", "127.0.0.1"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        procs.append(server)
        wait_for(site + "/login")
        s = requests.Session()
        r = s.post(site + "/auth/login", json={"email": "alice@example.nl", "password": "portal-demo-2026"}, headers={"Origin": site})
        r.raise_for_status()
        cookie = s.cookies.get("portal_session")
        os.environ.update({k: env[k] for k in ("PORTAL_DATA_DIR", "DATABASE_URL")})
        from sqlmodel import select

        from portal.db.engine import session_scope
        from portal.db.models import DocumentRequest

        with session_scope() as db:
            item = db.exec(select(DocumentRequest).where(DocumentRequest.title == "Kopie legitimatiebewijs")).first().id
        headers = {"Origin": site, "Cookie": f"portal_session={cookie}", "Content-Type": "application/octet-stream"}
        time.sleep(2)
        for label, files in [("250 MB PDF" if args.pdf_mb == 250 else f"{args.pdf_mb} MB PDF", [("groot.pdf", pdf)]),
                             (f"{args.photos} photos", [(p.name, p) for p in photo_paths])]:
            with Sampler(server.pid) as sampler:
                seconds, size = upload_all(site, lambda: f"/uploads/{item}", files, headers)
            print(f"portal  {label:<12} {size / 1e6 / seconds:8.1f} MB/s   {seconds:6.2f} s   backend memory growth {sampler.growth_mb:6.1f} MB")

        plain_port = free_port()
        plain = subprocess.Popen([str(ROOT / ".venv/bin/granian"), "--interface", "asgi", "--host", "127.0.0.1", "--port", str(plain_port),
                                  "benchmarks.plain_upload:app"], cwd=ROOT, env={**env, "PLAIN_UPLOAD_DIR": str(work)},
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        procs.append(plain)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", plain_port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        for label, files in [("PDF", [("groot.pdf", pdf)]), ("photos", [(p.name, p) for p in photo_paths])]:
            with Sampler(plain.pid) as sampler:
                seconds, size = upload_all(f"http://127.0.0.1:{plain_port}", lambda: "/upload", files, {})
            print(f"plain   {label:<12} {size / 1e6 / seconds:8.1f} MB/s   {seconds:6.2f} s   memory growth {sampler.growth_mb:6.1f} MB")
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
        print(open(work / "server.log").read()[-1500:]) if os.environ.get("BENCH_LOG") else None
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
