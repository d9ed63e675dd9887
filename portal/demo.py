"""Demo data: offices, staff, clients and dossiers, loaded only into an empty database.

``python -m portal.demo`` loads it (when the database has no users) and prints the demo logins.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from portal.db.engine import session_scope
from portal.db.models import (
    Action,
    ActionKind,
    Client,
    ClientKind,
    ClientMember,
    Dossier,
    DossierParticipant,
    DossierType,
    Office,
    OfficeKind,
    StaffMembership,
    StaffRole,
    User,
    UserKind,
)
from portal.domain.auth import hash_password

DEMO_PASSWORD = "portal-demo-2026"

# (e-mail, name, what they are) — printed by `make run` and listed in the README
DEMO_LOGINS = [
    ("alice@example.nl", "Alice de Jong", "client (mortgage + notarial deed)"),
    ("info@bakkerijjansen.nl", "Bakkerij Jansen B.V.", "company client"),
    ("piet@bakkerijjansen.nl", "Piet Jansen", "extra account of Bakkerij Jansen"),
    ("erik@example.nl", "Erik Visser", "client (income statement; one dossier hidden by the intermediary)"),
    ("bob@amstelhypotheek.nl", "Bob Smit", "adviser, Amstel Hypotheekadvies"),
    ("carol@notarisvandijk.nl", "Carol Mulder", "reviewer (notary clerk), Notariskantoor Van Dijk"),
    ("ivo@zuidasfinancieel.nl", "Ivo Peters", "intermediary adviser, Zuidas Financieel"),
    ("olga@amstelhypotheek.nl", "Olga Vermeulen", "office admin, Amstel Hypotheekadvies"),
    ("ingrid@inkomenscheck.nl", "Ingrid Bos", "reviewer, InkomensCheck (income statements)"),
]


def _user(db: Session, pw: str, email: str, name: str, kind: UserKind, phone: str = "") -> User:
    user = User(email=email, full_name=name, kind=kind, password_hash=pw, phone=phone)
    db.add(user)
    db.flush()
    return user


def _client(db: Session, kind: ClientKind, name: str, *members: tuple[User, bool], kvk: str = "") -> Client:
    client = Client(kind=kind, name=name, kvk_number=kvk)
    db.add(client)
    db.flush()
    for user, primary in members:
        db.add(ClientMember(client_id=client.id, user_id=user.id, is_primary=primary))
    return client


def _dossier(db: Session, clients: list[Client], **fields) -> Dossier:
    dossier = Dossier(**fields)
    db.add(dossier)
    db.flush()
    for i, client in enumerate(clients):
        db.add(DossierParticipant(dossier_id=dossier.id, client_id=client.id, role="applicant" if i == 0 else "co_applicant"))
    return dossier


def load(db: Session) -> None:
    pw = hash_password(DEMO_PASSWORD)
    notary = Office(name="Notariskantoor Van Dijk", kind=OfficeKind.HANDLING, email="kantoor@notarisvandijk.nl", brand_color="#24476b")
    advice = Office(name="Amstel Hypotheekadvies", kind=OfficeKind.HANDLING, email="info@amstelhypotheek.nl", brand_color="#1d5c4d")
    income = Office(name="InkomensCheck", kind=OfficeKind.HANDLING, email="service@inkomenscheck.nl", brand_color="#5b3a7a")
    zuidas = Office(name="Zuidas Financieel", kind=OfficeKind.INTERMEDIARY, email="kantoor@zuidasfinancieel.nl", brand_color="#7a4a1d")
    db.add_all([notary, advice, income, zuidas])
    db.flush()

    alice = _user(db, pw, "alice@example.nl", "Alice de Jong", UserKind.CLIENT, "+31612345678")
    jansen = _user(db, pw, "info@bakkerijjansen.nl", "Marja Jansen", UserKind.CLIENT, "+31623456789")
    piet = _user(db, pw, "piet@bakkerijjansen.nl", "Piet Jansen", UserKind.CLIENT)
    erik = _user(db, pw, "erik@example.nl", "Erik Visser", UserKind.CLIENT, "+31634567890")
    bob = _user(db, pw, "bob@amstelhypotheek.nl", "Bob Smit", UserKind.STAFF)
    carol = _user(db, pw, "carol@notarisvandijk.nl", "Carol Mulder", UserKind.STAFF)
    ivo = _user(db, pw, "ivo@zuidasfinancieel.nl", "Ivo Peters", UserKind.STAFF)
    olga = _user(db, pw, "olga@amstelhypotheek.nl", "Olga Vermeulen", UserKind.STAFF)
    ingrid = _user(db, pw, "ingrid@inkomenscheck.nl", "Ingrid Bos", UserKind.STAFF)
    for user, office, role in [
        (bob, advice, StaffRole.ADVISER),
        (bob, advice, StaffRole.REVIEWER),
        (olga, advice, StaffRole.OFFICE_ADMIN),
        (carol, notary, StaffRole.REVIEWER),
        (carol, notary, StaffRole.OFFICE_ADMIN),
        (ivo, zuidas, StaffRole.ADVISER),
        (ingrid, income, StaffRole.REVIEWER),
    ]:
        db.add(StaffMembership(user_id=user.id, office_id=office.id, role=role))

    c_alice = _client(db, ClientKind.PERSON, "Alice de Jong", (alice, True))
    c_jansen = _client(db, ClientKind.COMPANY, "Bakkerij Jansen B.V.", (jansen, True), (piet, False), kvk="12345678")
    c_erik = _client(db, ClientKind.PERSON, "Erik Visser", (erik, True))

    today = date.today()
    mortgage = _dossier(
        db, [c_alice], reference="HYP-2026-0142", type=DossierType.MORTGAGE, title="Aankoop Prinsengracht 12, Amsterdam",
        handling_office_id=advice.id, intermediary_office_id=zuidas.id, adviser_user_id=bob.id,
        lender="Rabobank", phase="documenten",
    )
    deed = _dossier(
        db, [c_alice], reference="NOT-2026-0077", type=DossierType.NOTARIAL_DEED, title="Leveringsakte Prinsengracht 12",
        handling_office_id=notary.id, phase="concept_akte",
    )
    _dossier(
        db, [c_jansen], reference="NOT-2026-0081", type=DossierType.NOTARIAL_DEED, title="Statutenwijziging Bakkerij Jansen B.V.",
        handling_office_id=notary.id, phase="stukken",
    )
    _dossier(
        db, [c_jansen], reference="HYP-2026-0150", type=DossierType.MORTGAGE, title="Bedrijfspand Dorpsstraat 4, Ouderkerk",
        handling_office_id=advice.id, adviser_user_id=bob.id, lender="ABN AMRO", phase="r_aanbod",
    )
    income_visible = _dossier(
        db, [c_erik], reference="INK-2026-0311", type=DossierType.INCOME_STATEMENT, title="Inkomensverklaring ondernemer 2025",
        handling_office_id=income.id, intermediary_office_id=zuidas.id, lender="ING", phase="stukken",
    )
    _dossier(
        db, [c_erik], reference="HYP-2026-0163", type=DossierType.MORTGAGE, title="Oversluiten hypotheek Utrecht",
        handling_office_id=advice.id, intermediary_office_id=zuidas.id, adviser_user_id=bob.id,
        lender="Obvion", phase="aanvraag", visible_to_client=False,
    )
    db.add_all(
        [
            Action(dossier_id=mortgage.id, kind=ActionKind.UPLOAD_REQUEST, title="Loonstroken en werkgeversverklaring",
                   message="Wilt u uw laatste loonstrook en een recente werkgeversverklaring aanleveren?", due_date=today + timedelta(days=5)),
            Action(dossier_id=mortgage.id, kind=ActionKind.UPLOAD_REQUEST, title="Kopie legitimatiebewijs",
                   message="Een kopie van uw paspoort of identiteitskaart (voor- en achterkant).", due_date=today + timedelta(days=2)),
            Action(dossier_id=deed.id, kind=ActionKind.QUESTIONNAIRE, title="Vragenlijst aankoop woning"),
            Action(dossier_id=deed.id, kind=ActionKind.SIGN, title="Opdrachtbevestiging notaris"),
            Action(dossier_id=income_visible.id, kind=ActionKind.UPLOAD_REQUEST, title="Jaarcijfers 2025",
                   message="Uw jaarrekening 2025 en de aangifte inkomstenbelasting.", due_date=today + timedelta(days=10)),
        ]
    )


def load_if_empty() -> bool:
    """Load the demo data when there are no users yet. Returns whether it loaded."""
    with session_scope() as db:
        if db.exec(select(func.count()).select_from(User)).one():
            return False
        load(db)
        return True


def print_logins(out=sys.stdout) -> None:
    out.write("\nDemo logins (password for all: %s)\n" % DEMO_PASSWORD)
    for email, _name, what in DEMO_LOGINS:
        out.write(f"  {email:<28} {what}\n")
    out.write("\n")


if __name__ == "__main__":
    loaded = load_if_empty()
    print("Demo data loaded." if loaded else "Database already has users; demo data not loaded.")
    print_logins()
