"""Benchmark: the office dossier list and opening one dossier at scale.

Fills a database with 100,000 dossiers and 1,000,000 document requests across 50 offices, then
prints p50/p95 of: the office list (first page, a lender-filtered page, a search, a deep page) and
opening one dossier, on SQLite and (when reachable) PostgreSQL.

    .venv/bin/python benchmarks/dossier_list.py [--dossiers 100000] [--requests-per-dossier 10] [--runs 50]
    BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test (default) picks the server to use.

Target: p95 under 50 ms for each, not growing with the number of dossiers beyond the page size.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

OFFICES = 50
LENDERS = ["ABN AMRO", "ING", "Rabobank", "Obvion", "a.s.r.", "Florius", "Aegon", "Nationale-Nederlanden", "Munt Hypotheken", "Lloyds"]
NAMES = ["de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot"]
FIRST = ["Anna", "Daan", "Emma", "Lucas", "Sophie", "Sem", "Julia", "Noah", "Tess", "Finn"]
STATUSES = ["aan_te_leveren", "aangeleverd", "voorlopig_akkoord", "akkoord", "afgekeurd", "niet_aanwezig"]
CATEGORIES = ["persoonlijk", "huidige_woning", "nieuwe_woning", "financiering", "overig"]
PHASES = ["aanvraag", "r_aanbod", "documenten", "h_aanbod", "passeren"]


def configure(url: str, data_dir: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["PORTAL_DATA_DIR"] = data_dir
    os.environ.setdefault("SECRET_KEY", "benchmark-" + "x" * 40)
    from portal.config import get_settings
    from portal.db.engine import get_engine

    get_settings.cache_clear()
    get_engine.cache_clear()


def migrate(url: str) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config("alembic.ini")
    cfg.attributes["url"] = url
    cfg.attributes["configure_logger"] = False
    command.upgrade(cfg, "head")


def fill(n_dossiers: int, per_dossier: int) -> None:
    from sqlalchemy import insert

    from portal.db.engine import get_engine
    from portal.db.models import Client, DocumentRequest, Dossier, DossierParticipant, Office, StaffMembership, User

    rng = random.Random(7)
    now = datetime.now(timezone.utc)
    engine = get_engine()
    t0 = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(insert(Office), [{"id": i + 1, "name": f"Kantoor {i + 1}", "kind": "handling", "email": f"k{i}@x.nl",
                                        "phone": "", "brand_color": "#1f3a5f", "created_at": now} for i in range(OFFICES)])
        conn.execute(insert(User), [{"id": i + 1, "email": f"adviseur{i + 1}@x.nl", "password_hash": "", "full_name": f"Adviseur {i + 1}",
                                      "phone": "", "kind": "staff", "language": "nl", "is_active": True, "created_at": now}
                                     for i in range(OFFICES)])
        conn.execute(insert(StaffMembership), [{"user_id": i + 1, "office_id": i + 1, "role": "adviser"} for i in range(OFFICES)])
    batch = 5000
    request_id = 1
    for start in range(0, n_dossiers, batch):
        ids = range(start + 1, min(n_dossiers, start + batch) + 1)
        clients, dossiers, parts, reqs = [], [], [], []
        for i in ids:
            office = (i % OFFICES) + 1
            name = f"{rng.choice(FIRST)} {rng.choice(NAMES)} {i}"
            clients.append({"id": i, "kind": "person", "name": name, "kvk_number": "", "created_at": now})
            dossiers.append({
                "id": i, "reference": f"HYP-{i:07d}", "type": "mortgage", "title": f"Aankoop {i}", "handling_office_id": office,
                "intermediary_office_id": None, "adviser_user_id": office if rng.random() < 0.5 else None,
                "lender": rng.choice(LENDERS), "phase": rng.choice(PHASES), "visible_to_client": True,
                "client_names": name.lower(), "details": {}, "created_at": now,
                "updated_at": now - timedelta(minutes=rng.randint(0, 500_000)),
            })
            parts.append({"dossier_id": i, "client_id": i, "role": "applicant"})
            for j in range(per_dossier):
                reqs.append({"id": request_id, "dossier_id": i, "action_id": None, "category": CATEGORIES[j % 5], "title": f"Document {j}",
                             "instruction": "", "status": rng.choice(STATUSES), "delivered_by": "client", "allow_not_available": False,
                             "rejection_reason": "", "deadline": None, "sort_order": j, "created_at": now, "updated_at": now})
                request_id += 1
        with engine.begin() as conn:
            conn.execute(insert(Client), clients)
            conn.execute(insert(Dossier), dossiers)
            conn.execute(insert(DossierParticipant), parts)
            conn.execute(insert(DocumentRequest), reqs)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    print(f"  filled {n_dossiers:,} dossiers and {request_id - 1:,} requests in {time.perf_counter() - t0:.1f} s")


def measure(label: str, fn, runs: int) -> None:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    p50 = statistics.median(times)
    p95 = times[max(0, int(round(0.95 * len(times))) - 1)]
    flag = "ok" if p95 < 50 else "SLOW"
    print(f"  {label:<34} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   {flag}")


def run_suite(runs: int) -> None:
    from portal.db.models import StaffRole, UserKind
    from portal.domain.actor import Actor, Membership
    from portal.domain.dossiers import OfficeQuery, Sort, Tab, list_office_dossiers, open_dossier

    actor = Actor(user_id=7, email="adviseur7@x.nl", full_name="Adviseur 7", kind=UserKind.STAFF,
                  memberships=(Membership(office_id=7, role=StaffRole.ADVISER),))
    first = list_office_dossiers(actor, OfficeQuery())
    deep_page = first.pages  # the last page
    some_id = first.rows[3].id
    measure("office list: first page", lambda: list_office_dossiers(actor, OfficeQuery()), runs)
    measure("office list: lender filter", lambda: list_office_dossiers(actor, OfficeQuery(tab=Tab.LENDERS, lender="ING", page=2)), runs)
    measure("office list: Mijn, sort by client", lambda: list_office_dossiers(actor, OfficeQuery(tab=Tab.MINE, sort=Sort.CLIENT)), runs)
    measure("office list: search 'jansen'", lambda: list_office_dossiers(actor, OfficeQuery(search="jansen")), runs)
    measure("office list: search reference", lambda: list_office_dossiers(actor, OfficeQuery(search="HYP-0012")), runs)
    measure(f"office list: deep page ({deep_page})", lambda: list_office_dossiers(actor, OfficeQuery(page=deep_page)), runs)
    measure("open one dossier", lambda: open_dossier(actor, some_id), runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--requests-per-dossier", type=int, default=10)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--backends", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    args = parser.parse_args()
    os.chdir(Path(__file__).resolve().parent.parent)

    backends = set(args.backends.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        if "sqlite" in backends:
            url = f"sqlite:///{tmp}/bench.db"
            print(f"SQLite ({args.dossiers:,} dossiers, {OFFICES} offices)")
            configure(url, tmp)
            migrate(url)
            fill(args.dossiers, args.requests_per_dossier)
            run_suite(args.runs)
        if "postgresql" not in backends:
            return

        base = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
        try:
            import psycopg

            admin = psycopg.connect(base, autocommit=True, connect_timeout=3)
        except Exception as exc:  # noqa: BLE001
            print(f"PostgreSQL skipped: not reachable at {base} ({exc.__class__.__name__})")
            return
        name = f"portal_bench_{uuid.uuid4().hex[:8]}"
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            url = base.rsplit("/", 1)[0] + f"/{name}"
            print(f"PostgreSQL ({args.dossiers:,} dossiers, {OFFICES} offices)")
            configure(url, tmp)
            migrate(url)
            fill(args.dossiers, args.requests_per_dossier)
            run_suite(args.runs)
            from portal.db.engine import get_engine

            get_engine().dispose()
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()


if __name__ == "__main__":
    main()
