"""Demo data: offices, staff, clients and dossiers, loaded only into an empty database.

``python -m portal.demo`` loads it (when the database has no users) and prints the demo logins.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func
from sqlmodel import Session, select

from portal.db.engine import session_scope
from portal.adapters.filestore import get_file_store
from portal.adapters.pdf import text_pdf
from portal.db.models import (
    Action,
    ActionKind,
    DeliveredBy,
    Document,
    DocumentKind,
    DocumentRequest,
    Milestone,
    QuestionnaireDefinition,
    QuestionnaireResponse,
    RequestCategory,
    RequestStatus,
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
from portal.domain.dossiers import search_key
from portal.domain.questionnaires import parse_definition

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
    dossier = Dossier(client_names=search_key([c.name for c in clients]), **fields)
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
    statutes = _dossier(
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
    actions = [
            Action(dossier_id=mortgage.id, kind=ActionKind.UPLOAD_REQUEST, title="Loonstroken en werkgeversverklaring",
                   message="Wilt u uw laatste loonstrook en een recente werkgeversverklaring aanleveren?", due_date=today + timedelta(days=5)),
            Action(dossier_id=mortgage.id, kind=ActionKind.UPLOAD_REQUEST, title="Kopie legitimatiebewijs",
                   message="Een kopie van uw paspoort of identiteitskaart (voor- en achterkant).", due_date=today + timedelta(days=2)),
            Action(dossier_id=deed.id, kind=ActionKind.QUESTIONNAIRE, title="Vragenlijst aankoop woning"),
            Action(dossier_id=deed.id, kind=ActionKind.SIGN, title="Opdrachtbevestiging notaris"),
            Action(dossier_id=income_visible.id, kind=ActionKind.UPLOAD_REQUEST, title="Jaarcijfers 2025",
                   message="Uw jaarrekening 2025 en de aangifte inkomstenbelasting.", due_date=today + timedelta(days=10)),
    ]
    db.add_all(actions)
    _mortgage_content(db, mortgage, bob)
    _deed_content(db, deed, carol)
    _income_content(db, income_visible)
    _requests(db, statutes, [
        (RequestCategory.PERSONAL, "Kopie legitimatiebewijs bestuurders", RequestStatus.APPROVED),
        (RequestCategory.OTHER, "Uittreksel Kamer van Koophandel", RequestStatus.DELIVERED),
        (RequestCategory.OTHER, "Notulen aandeelhoudersvergadering", RequestStatus.TO_DELIVER),
    ])
    _bulk_dossiers(db, advice, [bob], zuidas, count=300)
    db.flush()
    intake = _definition(db, notary, "notaris-intake-koop.yaml", carol)
    _definition(db, advice, "hypotheek-inventarisatie.yaml", bob)
    db.add(QuestionnaireResponse(dossier_id=deed.id, action_id=actions[2].id, definition_id=intake.id))
    # the upload requests (Acties) and the items the client delivers for them
    for action, titles in [
        (actions[0], ["Loonstrook (meest recente)", "Werkgeversverklaring"]),
        (actions[1], ["Kopie legitimatiebewijs"]),
        (actions[4], ["Jaarrekening 2025", "Aangifte inkomstenbelasting 2025"]),
    ]:
        for request in db.exec(select(DocumentRequest).where(DocumentRequest.dossier_id == action.dossier_id, DocumentRequest.title.in_(titles))).all():
            request.action_id = action.id
            request.deadline = action.due_date  # one date on the screen: the upload request's


QUESTIONNAIRES = Path(__file__).resolve().parent / "questionnaires"


def _definition(db: Session, office: Office, filename: str, author: User) -> QuestionnaireDefinition:
    """An office's questionnaire from the shipped example files (portal/questionnaires/)."""
    text = (QUESTIONNAIRES / filename).read_text(encoding="utf-8")
    spec = parse_definition(text)
    row = QuestionnaireDefinition(office_id=office.id, key=spec["key"], version=1, title_nl=spec["title"]["nl"],
                                  title_en=spec["title"]["en"], source=text, spec=spec, created_by_user_id=author.id)
    db.add(row)
    db.flush()
    return row


MORTGAGE_REQUESTS = [
    # (category, title, status, delivered_by, allow "niet aanwezig", rejection reason)
    (RequestCategory.PERSONAL, "Kopie legitimatiebewijs", RequestStatus.TO_DELIVER, DeliveredBy.CLIENT, False, ""),
    (RequestCategory.PERSONAL, "Loonstrook (meest recente)", RequestStatus.DELIVERED, DeliveredBy.CLIENT, False, ""),
    (RequestCategory.PERSONAL, "Werkgeversverklaring", RequestStatus.REJECTED, DeliveredBy.CLIENT, False,
     "De verklaring is niet ondertekend door de werkgever. Wilt u een ondertekende versie aanleveren?"),
    (RequestCategory.PERSONAL, "IBAN-bewijs (bankafschrift)", RequestStatus.PROVISIONALLY_APPROVED, DeliveredBy.CLIENT, False, ""),
    (RequestCategory.PERSONAL, "Uittreksel BKR", RequestStatus.TO_DELIVER, DeliveredBy.LENDER, False, ""),
    (RequestCategory.PERSONAL, "Echtscheidingsconvenant", RequestStatus.NOT_AVAILABLE, DeliveredBy.CLIENT, True, ""),
    (RequestCategory.CURRENT_HOME, "Hypotheekoverzicht huidige woning", RequestStatus.APPROVED, DeliveredBy.CLIENT, False, ""),
    (RequestCategory.CURRENT_HOME, "Verkoopovereenkomst huidige woning", RequestStatus.TO_DELIVER, DeliveredBy.CLIENT, True, ""),
    (RequestCategory.CURRENT_HOME, "WOZ-beschikking", RequestStatus.DELIVERED, DeliveredBy.CLIENT, False, ""),
    (RequestCategory.NEW_HOME, "Koopovereenkomst", RequestStatus.APPROVED, DeliveredBy.CLIENT, False, ""),
    (RequestCategory.NEW_HOME, "Taxatierapport", RequestStatus.TO_DELIVER, DeliveredBy.CLIENT, False, ""),
    (RequestCategory.NEW_HOME, "Bouwkundig rapport", RequestStatus.APPROVED, DeliveredBy.CLIENT, True, ""),
    (RequestCategory.NEW_HOME, "Energielabel", RequestStatus.DELIVERED, DeliveredBy.CLIENT, False, ""),
    (RequestCategory.FINANCING, "Getekend renteaanbod", RequestStatus.TO_DELIVER, DeliveredBy.CLIENT, False, ""),
    (RequestCategory.FINANCING, "Bewijs eigen middelen", RequestStatus.TO_DELIVER, DeliveredBy.CLIENT, False, ""),
    (RequestCategory.FINANCING, "Offerte verbouwing", RequestStatus.TO_DELIVER, DeliveredBy.CLIENT, True, ""),
    (RequestCategory.FINANCING, "Overzicht pensioenopbouw (UPO)", RequestStatus.TO_DELIVER, DeliveredBy.CLIENT, False, ""),
    (RequestCategory.OTHER, "Machtiging Nationale Hypotheek Garantie", RequestStatus.TO_DELIVER, DeliveredBy.CLIENT, False, ""),
    (RequestCategory.OTHER, "Getekende offerte overlijdensrisicoverzekering", RequestStatus.TO_DELIVER, DeliveredBy.LENDER, False, ""),
]


def _at(days_ago: int, hour: int = 10) -> datetime:
    moment = datetime.now(timezone.utc) - timedelta(days=days_ago)
    return moment.replace(hour=hour, minute=15, second=0, microsecond=0)


def _requests(db: Session, dossier: Dossier, items) -> list[DocumentRequest]:
    rows = []
    for i, item in enumerate(items):
        category, title, status = item[:3]
        delivered_by = item[3] if len(item) > 3 else DeliveredBy.CLIENT
        allow_na = item[4] if len(item) > 4 else False
        reason = item[5] if len(item) > 5 else ""
        row = DocumentRequest(
            dossier_id=dossier.id, category=category, title=title, status=status, delivered_by=delivered_by,
            allow_not_available=allow_na, rejection_reason=reason, sort_order=i,
            deadline=date.today() + timedelta(days=7) if status in (RequestStatus.TO_DELIVER, RequestStatus.REJECTED) else None,
        )
        db.add(row)
        rows.append(row)
    db.flush()
    return rows


def _file_doc(db: Session, dossier: Dossier, kind: DocumentKind, title: str, filename: str, paragraphs: list[str], *,
              public: bool = True, days_ago: int = 3, user: User | None = None, request: DocumentRequest | None = None) -> Document:
    data = text_pdf(title, paragraphs, subtitle=f"{dossier.reference} - {dossier.title}")
    stored = get_file_store().put_bytes(data)
    doc = Document(
        dossier_id=dossier.id, kind=kind, title=title, filename=filename, storage_key=stored.key,
        content_type="application/pdf", size=stored.size, sha256=stored.sha256, is_public=public,
        created_at=_at(days_ago), created_by_user_id=user.id if user else None, request_id=request.id if request else None,
    )
    db.add(doc)
    return doc


def _mortgage_content(db: Session, dossier: Dossier, adviser: User) -> None:
    dossier.details = {
        "aanvraag": {"applicant": "Alice de Jong", "address": "Prinsengracht 12, 1015 DV Amsterdam", "purchase_price": 475000,
                     "loan_amount": 420000, "lender": "Rabobank", "product": "Annuïteitenhypotheek", "nhg": False,
                     "submitted_on": (date.today() - timedelta(days=40)).isoformat()},
        "r_aanbod": {"lender": "Rabobank", "loan_amount": 420000, "interest_rate": 3.85, "fixed_period_years": 20,
                     "offer_date": (date.today() - timedelta(days=30)).isoformat(),
                     "valid_until": (date.today() + timedelta(days=60)).isoformat(),
                     "conditions": "Onder voorbehoud van een positieve taxatie en een werkgeversverklaring."},
    }
    requests = _requests(db, dossier, MORTGAGE_REQUESTS)
    for days, title, description in [
        (40, "Aanvraag ingediend", "Wij hebben uw hypotheekaanvraag bij Rabobank ingediend."),
        (30, "Renteaanbod ontvangen", "Rabobank heeft een renteaanbod uitgebracht; u vindt het onder Documenten."),
        (12, "Documenten opgevraagd", "Wilt u de gevraagde stukken vóór de uiterste datum aanleveren?"),
    ]:
        db.add(Milestone(dossier_id=dossier.id, title=title, description=description, occurred_at=_at(days)))
    db.add(Milestone(dossier_id=dossier.id, title="Interne notitie: taxateur gebeld", is_public=False, occurred_at=_at(2)))
    _file_doc(db, dossier, DocumentKind.DOCUMENT, "Renteaanbod Rabobank", "Renteaanbod Rabobank.pdf",
              ["Geachte mevrouw De Jong,", "Hierbij ontvangt u ons renteaanbod voor een annuïteitenhypotheek van EUR 420.000 "
               "tegen 3,85% rente, 20 jaar vast.", "Dit aanbod is 90 dagen geldig."], days_ago=30, user=adviser)
    _file_doc(db, dossier, DocumentKind.DOCUMENT, "Adviesrapport hypotheek", "Adviesrapport.pdf",
              ["Ons advies over uw financiering, uw maandlasten en de risico's."], days_ago=25, user=adviser)
    _file_doc(db, dossier, DocumentKind.DOCUMENT, "Concept declaratie (intern)", "Declaratie concept.pdf",
              ["Concept, nog niet gepubliceerd."], public=False, days_ago=1, user=adviser)
    _file_doc(db, dossier, DocumentKind.CORRESPONDENCE, "Bevestiging opdracht tot dienstverlening", "Opdrachtbevestiging.pdf",
              ["Wij bevestigen uw opdracht tot hypotheekadvies."], days_ago=41, user=adviser)
    db.add(Document(dossier_id=dossier.id, kind=DocumentKind.CORRESPONDENCE, title="E-mail: stand van zaken", is_public=True,
                    body="Beste Alice,\n\nDe taxatie is ingepland op donderdag. Zodra het rapport binnen is, hoor je van ons.\n\n"
                         "Met vriendelijke groet,\nBob Smit", created_at=_at(5), created_by_user_id=adviser.id))
    by_title = {r.title: r for r in requests}
    for title, days in [("Bouwkundig rapport", 20), ("Loonstrook (meest recente)", 6), ("Hypotheekoverzicht huidige woning", 18),
                        ("Koopovereenkomst", 19), ("WOZ-beschikking", 4), ("IBAN-bewijs (bankafschrift)", 8), ("Energielabel", 3)]:
        _file_doc(db, dossier, DocumentKind.DELIVERED, title, f"{title}.pdf", ["Aangeleverd door de klant."], days_ago=days,
                  request=by_title[title])


def _deed_content(db: Session, dossier: Dossier, clerk: User) -> None:
    dossier.details = {
        "intake": {"property": "Prinsengracht 12, Amsterdam", "buyer": "Alice de Jong", "seller": "J. van Leeuwen"},
        "stukken": {"notary": "mr. H. van Dijk"},
        "concept_akte": {"signing_date": (date.today() + timedelta(days=21)).isoformat()},
    }
    _requests(db, dossier, [
        (RequestCategory.PERSONAL, "Kopie paspoort", RequestStatus.APPROVED),
        (RequestCategory.NEW_HOME, "Getekende koopovereenkomst", RequestStatus.DELIVERED),
        (RequestCategory.FINANCING, "Hypotheekakte (van de bank)", RequestStatus.TO_DELIVER, DeliveredBy.LENDER),
        (RequestCategory.OTHER, "Volmacht", RequestStatus.TO_DELIVER, DeliveredBy.CLIENT, True),
    ])
    db.add(Milestone(dossier_id=dossier.id, title="Dossier in behandeling genomen", occurred_at=_at(15)))
    db.add(Milestone(dossier_id=dossier.id, title="Concept-akte gereed", description="De concept-akte staat onder Documenten.", occurred_at=_at(2)))
    _file_doc(db, dossier, DocumentKind.DOCUMENT, "Concept leveringsakte", "Concept leveringsakte.pdf",
              ["Concept van de akte van levering Prinsengracht 12 te Amsterdam.", "Controleer uw gegevens en laat het ons weten als iets niet klopt."],
              days_ago=2, user=clerk)
    _file_doc(db, dossier, DocumentKind.DOCUMENT, "Declaratie", "Declaratie NOT-2026-0077.pdf",
              ["Declaratie notariële werkzaamheden: EUR 1.150,00 inclusief btw."], days_ago=1, user=clerk)


def _income_content(db: Session, dossier: Dossier) -> None:
    _requests(db, dossier, [
        (RequestCategory.FINANCING, "Jaarrekening 2025", RequestStatus.TO_DELIVER),
        (RequestCategory.FINANCING, "Aangifte inkomstenbelasting 2025", RequestStatus.TO_DELIVER),
        (RequestCategory.FINANCING, "Aangifte inkomstenbelasting 2024", RequestStatus.NOT_AVAILABLE, DeliveredBy.CLIENT, True),
    ])
    db.add(Milestone(dossier_id=dossier.id, title="Dossier in behandeling genomen", occurred_at=_at(3)))


FIRST = ["Anna", "Daan", "Emma", "Lucas", "Sophie", "Sem", "Julia", "Noah", "Tess", "Finn", "Mila", "Levi", "Sara", "Bram",
         "Lotte", "Thijs", "Fleur", "Jesse", "Iris", "Ruben"]
LAST = ["de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos",
        "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits"]
LENDERS = ["ABN AMRO", "ING", "Rabobank", "Obvion", "a.s.r.", "Florius", "Aegon", "Nationale-Nederlanden", "Munt Hypotheken", "Lloyds"]
STREETS = ["Keizersgracht", "Amstelveenseweg", "Overtoom", "Rijnstraat", "Zuidas", "Van Baerlestraat", "Ceintuurbaan", "Weesperzijde"]


def _bulk_dossiers(db: Session, office: Office, advisers: list[User], intermediary: Office, count: int) -> None:
    """Hundreds of dossiers for the mortgage office, so paging, search and filters are real."""
    rng = random.Random(2026)
    phases = ["aanvraag", "r_aanbod", "documenten", "h_aanbod", "passeren"]
    statuses = [RequestStatus.TO_DELIVER, RequestStatus.DELIVERED, RequestStatus.APPROVED, RequestStatus.REJECTED]
    for i in range(count):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        client = Client(kind=ClientKind.PERSON, name=name)
        db.add(client)
        db.flush()
        dossier = _dossier(
            db, [client], reference=f"HYP-2025-{1000 + i:04d}", type=DossierType.MORTGAGE,
            title=f"Aankoop {rng.choice(STREETS)} {rng.randint(1, 240)}",
            handling_office_id=office.id, adviser_user_id=rng.choice(advisers).id if rng.random() < 0.6 else None,
            intermediary_office_id=intermediary.id if rng.random() < 0.2 else None,
            lender=rng.choice(LENDERS), phase=rng.choice(phases), updated_at=_at(rng.randint(0, 365), rng.randint(8, 18)),
        )
        for j in range(rng.randint(0, 8)):
            db.add(DocumentRequest(dossier_id=dossier.id, category=rng.choice(list(RequestCategory)),
                                   title=f"Document {j + 1}", status=rng.choice(statuses), sort_order=j))


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
