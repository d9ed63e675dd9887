"""Demo data: offices, staff, clients and dossiers, loaded only into an empty database.

``python -m portal.demo`` loads it (when the database has no users) and prints the demo logins.

Everything the office creates in the UI is created here the same way: through the domain functions, as the staff
member who would do it (Bob at Amstel Hypotheekadvies, Carol at the notary, Ingrid at InkomensCheck, Olga as office
admin, Ivo as the intermediary), and what a client does as that client (Alice, Marja, Erik deliver their documents
and report "Niet aanwezig"; the office reviews). Only what no domain function can create is written directly, in the
section "Written directly" at the end of this file: offices, staff and their roles, the clients' logins, the
history (dates in the past, "voorlopig akkoord") and phase data no screen edits.
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func
from sqlmodel import select

from portal.adapters.pdf import text_pdf
from portal.db.engine import session_scope
from portal.db.models import (
    Action,
    ActionKind,
    ClientKind,
    ClientMember,
    Delivery,
    DeliveredBy,
    Document,
    DocumentKind,
    DocumentRequest,
    Dossier,
    DossierType,
    Office,
    OfficeKind,
    RequestCategory,
    RequestStatus,
    StaffMembership,
    StaffRole,
    User,
    UserKind,
)
from portal.domain import clients, deliveries, dossier_admin, notify, publishing, questionnaires, stukkenlijst
from portal.domain.actor import Actor
from portal.domain.auth import _actor_for, hash_password
from portal.domain.deliveries import review
from portal.domain.phases import phases_of

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

ZUIDAS_EMAIL = "kantoor@zuidasfinancieel.nl"  # the intermediary office, found by its general address (seed 003)
QUESTIONNAIRES = Path(__file__).resolve().parent / "questionnaires"

P, CH, NH, F, O = (RequestCategory.PERSONAL, RequestCategory.CURRENT_HOME, RequestCategory.NEW_HOME,
                   RequestCategory.FINANCING, RequestCategory.OTHER)
TO, DEL, REJ, PROV, OK, NA = (RequestStatus.TO_DELIVER, RequestStatus.DELIVERED, RequestStatus.REJECTED,
                              RequestStatus.PROVISIONALLY_APPROVED, RequestStatus.APPROVED, RequestStatus.NOT_AVAILABLE)
CLIENT, LENDER = DeliveredBy.CLIENT, DeliveredBy.LENDER

REJECTION = "De verklaring is niet ondertekend door de werkgever. Wilt u een ondertekende versie aanleveren?"

MORTGAGE_REQUESTS = [
    # (category, title, status it ends in, delivered_by, allow "niet aanwezig", days ago its file was delivered)
    (P, "Kopie legitimatiebewijs", TO, CLIENT, False, None),
    (P, "Loonstrook (meest recente)", DEL, CLIENT, False, 6),
    (P, "Werkgeversverklaring", REJ, CLIENT, False, 9),
    (P, "IBAN-bewijs (bankafschrift)", PROV, CLIENT, False, 8),
    (P, "Uittreksel BKR", TO, LENDER, False, None),
    (P, "Echtscheidingsconvenant", NA, CLIENT, True, None),
    (CH, "Hypotheekoverzicht huidige woning", OK, CLIENT, False, 18),
    (CH, "Verkoopovereenkomst huidige woning", TO, CLIENT, True, None),
    (CH, "WOZ-beschikking", DEL, CLIENT, False, 4),
    (NH, "Koopovereenkomst", OK, CLIENT, False, 19),
    (NH, "Taxatierapport", TO, CLIENT, False, None),
    (NH, "Bouwkundig rapport", OK, CLIENT, True, 20),
    (NH, "Energielabel", DEL, CLIENT, False, 3),
    (F, "Getekend renteaanbod", TO, CLIENT, False, None),
    (F, "Bewijs eigen middelen", TO, CLIENT, False, None),
    (F, "Offerte verbouwing", TO, CLIENT, True, None),
    (F, "Overzicht pensioenopbouw (UPO)", TO, CLIENT, False, None),
    (O, "Machtiging Nationale Hypotheek Garantie", TO, CLIENT, False, None),
    (O, "Getekende offerte overlijdensrisicoverzekering", TO, LENDER, False, None),
]

# (title, file name, paragraphs, kind, public, days ago)
MORTGAGE_DOCUMENTS = [
    ("Renteaanbod Rabobank", "Renteaanbod Rabobank.pdf",
     ["Geachte mevrouw De Jong,", "Hierbij ontvangt u ons renteaanbod voor een annuïteitenhypotheek van EUR 420.000 "
      "tegen 3,85% rente, 20 jaar vast.", "Dit aanbod is 90 dagen geldig."], DocumentKind.DOCUMENT, True, 30),
    ("Adviesrapport hypotheek", "Adviesrapport.pdf", ["Ons advies over uw financiering, uw maandlasten en de risico's."],
     DocumentKind.DOCUMENT, True, 25),
    ("Concept declaratie (intern)", "Declaratie concept.pdf", ["Concept, nog niet gepubliceerd."], DocumentKind.DOCUMENT, False, 1),
    ("Bevestiging opdracht tot dienstverlening", "Opdrachtbevestiging.pdf", ["Wij bevestigen uw opdracht tot hypotheekadvies."],
     DocumentKind.CORRESPONDENCE, True, 41),
]

MORTGAGE_MILESTONES = [  # (days ago, title, description, public)
    (40, "Aanvraag ingediend", "Wij hebben uw hypotheekaanvraag bij Rabobank ingediend.", True),
    (30, "Renteaanbod ontvangen", "Rabobank heeft een renteaanbod uitgebracht; u vindt het onder Documenten.", True),
    (12, "Documenten opgevraagd", "Wilt u de gevraagde stukken vóór de uiterste datum aanleveren?", True),
    (2, "Interne notitie: taxateur gebeld", "", False),
]

ID_REQUEST = ("Kopie legitimatiebewijs", "Een kopie van uw paspoort of identiteitskaart (voor- en achterkant).", 2,
              ["Kopie legitimatiebewijs"])
PAY_REQUEST = ("Loonstroken en werkgeversverklaring",
               "Wilt u uw laatste loonstrook en een recente werkgeversverklaring aanleveren?", 5,
               ["Loonstrook (meest recente)", "Werkgeversverklaring"])


# ---------------------------------------------------------------------------------------------
# the demo
# ---------------------------------------------------------------------------------------------


@dataclass
class Cast:
    offices: dict[str, int]
    actors: dict[str, Actor]  # by first name, lower case

    def __getitem__(self, name: str) -> Actor:
        return self.actors[name]


def load() -> None:
    """The whole demo, into an empty database (``load_if_empty`` checks)."""
    cast = _accounts()
    for office in ("notary", "advice", "income"):
        stukkenlijst.default_catalogue(cast.offices[office])

    # the clients, kept by each office that works for them; the logins come with them (written directly)
    alice_at = {
        who: clients.create_client(cast[who], clients.ClientForm(name="Alice de Jong", email="alice@example.nl",
                                                                 phone="+31612345678")).id
        for who in ("bob", "carol")
    }
    jansen_at = {
        who: clients.create_client(cast[who], clients.ClientForm(
            kind=ClientKind.COMPANY.value, name="Bakkerij Jansen B.V.", kvk_number="12345678", contact_name="Marja Jansen",
            email="info@bakkerijjansen.nl", phone="+31623456789")).id
        for who in ("bob", "carol")
    }
    erik_at = {
        who: clients.create_client(cast[who], clients.ClientForm(name="Erik Visser", email="erik@example.nl",
                                                                 phone="+31634567890")).id
        for who in ("ingrid", "bob")
    }
    _link_logins({"alice@example.nl": (alice_at.values(), True), "info@bakkerijjansen.nl": (jansen_at.values(), True),
                  "piet@bakkerijjansen.nl": (jansen_at.values(), False), "erik@example.nl": (erik_at.values(), True)})
    cast = _refresh(cast)
    bob, carol, ingrid = cast["bob"], cast["carol"], cast["ingrid"]
    alice, jansen, erik = cast["alice"], cast["info"], cast["erik"]

    mortgage = new_dossier(bob, "HYP-2026-0142", DossierType.MORTGAGE, "Aankoop Prinsengracht 12, Amsterdam",
                           alice_at["bob"], lender="Rabobank", intermediary=True)
    deed = new_dossier(carol, "NOT-2026-0077", DossierType.NOTARIAL_DEED, "Leveringsakte Prinsengracht 12",
                       alice_at["carol"], adviser=False)
    statutes = new_dossier(carol, "NOT-2026-0081", DossierType.NOTARIAL_DEED, "Statutenwijziging Bakkerij Jansen B.V.",
                           jansen_at["carol"], adviser=False)
    company_mortgage = new_dossier(bob, "HYP-2026-0150", DossierType.MORTGAGE, "Bedrijfspand Dorpsstraat 4, Ouderkerk",
                                   jansen_at["bob"], lender="ABN AMRO")
    income = new_dossier(ingrid, "INK-2026-0311", DossierType.INCOME_STATEMENT, "Inkomensverklaring ondernemer 2025",
                         erik_at["ingrid"], lender="ING", intermediary=True, adviser=False)
    hidden = new_dossier(bob, "HYP-2026-0163", DossierType.MORTGAGE, "Oversluiten hypotheek Utrecht", erik_at["bob"],
                         lender="Obvion", intermediary=True)
    dossier_admin.set_client_visibility(cast["ivo"], hidden, False)  # Ivo, the intermediary, hides it from Erik

    build_mortgage(bob, mortgage, alice, requests=[PAY_REQUEST, ID_REQUEST])
    move_to(bob, company_mortgage, "r_aanbod")
    _deed_content(carol, deed, alice)
    _statutes_content(carol, statutes, jansen)
    _income_content(ingrid, income, erik)
    intake = questionnaires.create_definition(carol, cast.offices["notary"], _example("notaris-intake-koop.yaml"))
    questionnaires.create_definition(cast["olga"], cast.offices["advice"], _example("hypotheek-inventarisatie.yaml"))
    questionnaires.send_questionnaire(carol, deed, intake)
    _sign_action(deed, "Opdrachtbevestiging notaris")
    _bulk_dossiers(bob, count=300)
    _history(mortgage, deed)


def new_dossier(staff: Actor, reference: str, type_: DossierType, title: str, client_id: int, *, lender: str = "",
                intermediary: bool = False, adviser: bool = True) -> int:
    """A dossier as the office's "Nieuw dossier" makes it (in its type's first phase)."""
    return dossier_admin.create_dossier(staff, dossier_admin.DossierForm(
        type=type_.value, reference=reference, title=title, client_ids=(client_id,), lender=lender,
        adviser_user_id=staff.user_id if adviser else None, intermediary_email=ZUIDAS_EMAIL if intermediary else ""))


def move_to(staff: Actor, dossier_id: int, phase: str, *, type_: DossierType = DossierType.MORTGAGE) -> None:
    """Move a new dossier phase by phase (with the office's confirmation each time) to ``phase``."""
    phases = phases_of(type_)
    for current in phases[: phases.index(phase)]:
        publishing.move_phase(staff, dossier_id, 1, current)


def add_items(staff: Actor, dossier_id: int, items, *, office_id: int | None = None) -> dict[str, int]:
    """Items on the stukkenlijst: from the office's catalogue when it has the type exactly so, else as free text.
    Open ones get the usual due date (a week). Returns their ids by title."""
    catalogue = {}
    if office_id is not None:
        catalogue = {(t.name_nl, t.category, t.delivered_by, t.allows_not_available): t.id
                     for t in stukkenlijst.list_catalogue(staff, office_id, active_only=True).types}
    ids = {}
    due = date.today() + timedelta(days=7)
    for category, title, status, delivered_by, allow_na, *_ in items:
        deadline = due if status in (TO, REJ) else None
        type_id = catalogue.get((title, category.value, delivered_by.value, allow_na))
        if type_id is not None:
            ids[title] = stukkenlijst.add_from_catalogue(staff, dossier_id, type_id, deadline=deadline)
        else:
            ids[title] = stukkenlijst.add_item(staff, dossier_id, stukkenlijst.ItemInput(
                title=title, category=category.value, delivered_by=delivered_by.value, allow_not_available=allow_na),
                deadline=deadline)
    return ids


def deliver(client: Actor, dossier_reference: str, request_id: int, title: str) -> int:
    """The client uploads a PDF for an item and sends it (Bevestigen). Returns the delivery id."""
    data = text_pdf(title, ["Aangeleverd door de klant."], subtitle=dossier_reference)
    deliveries.receive_upload(client, request_id, f"{title}.pdf", [data])
    return deliveries.confirm(client, request_id)


def settle(staff: Actor, client: Actor, reference: str, items, ids: dict[str, int]) -> dict[str, int]:
    """Bring each item to its status the way it happens: the client delivers or reports "Niet aanwezig", the office
    approves or rejects. "Voorlopig akkoord" has no screen: ``_history`` sets it. Returns delivery ids by title."""
    made = {}
    for _category, title, status, *_ in items:
        if status in (DEL, REJ, PROV, OK):
            made[title] = deliver(client, reference, ids[title], title)
            if status in (OK, REJ):
                review.review(staff, made[title], approve=status == OK, reason=REJECTION if status == REJ else "")
        elif status == NA:
            deliveries.intake.mark_not_available(client, ids[title])
    return made


def build_mortgage(adviser: Actor, dossier_id: int, client: Actor, *, requests) -> dict:
    """Alice's mortgage (also the end-to-end tests' copies of it): phase Documenten, the stukkenlijst in every status,
    upload requests, office documents (published and not), the rate offer's data and milestones."""
    move_to(adviser, dossier_id, "documenten")
    reference = _reference(dossier_id)
    ids = add_items(adviser, dossier_id, MORTGAGE_REQUESTS)
    actions = {}
    for title, message, days, titles in requests:
        actions[title] = stukkenlijst.send_upload_request(adviser, dossier_id, [ids[t] for t in titles], message,
                                                          title=title, due_date=date.today() + timedelta(days=days))
    made = settle(adviser, client, reference, MORTGAGE_REQUESTS, ids)
    documents = {}
    for title, filename, paragraphs, kind, public, _days in MORTGAGE_DOCUMENTS:
        data = text_pdf(title, paragraphs, subtitle=reference)
        documents[title] = publishing.receive_document(
            adviser, dossier_id, publishing.NewDocument(title=title, kind=kind.value, public=public), filename, [data])
    publishing.update_phase_details(adviser, dossier_id, "r_aanbod", {
        "interest_rate": "3,85", "valid_until": (date.today() + timedelta(days=60)).isoformat()})
    for days, title, description, public in MORTGAGE_MILESTONES:
        publishing.add_milestone(adviser, dossier_id, title, date.today() - timedelta(days=days), description, public=public)
    return {"requests": ids, "actions": actions, "deliveries": made, "documents": documents}


def _deed_content(clerk: Actor, dossier_id: int, client: Actor) -> None:
    move_to(clerk, dossier_id, "concept_akte", type_=DossierType.NOTARIAL_DEED)
    items = [
        (P, "Kopie paspoort", OK, CLIENT, False),
        (NH, "Getekende koopovereenkomst", DEL, CLIENT, False),
        (F, "Hypotheekakte (van de bank)", TO, LENDER, False),
        (O, "Volmacht", TO, CLIENT, True),
    ]
    ids = add_items(clerk, dossier_id, items, office_id=clerk.office_ids[0])
    settle(clerk, client, "NOT-2026-0077", items, ids)
    publishing.add_milestone(clerk, dossier_id, "Dossier in behandeling genomen", date.today() - timedelta(days=15))
    publishing.add_milestone(clerk, dossier_id, "Concept-akte gereed", date.today() - timedelta(days=2),
                             "De concept-akte staat onder Documenten.")
    for title, filename, paragraphs in [
        ("Concept leveringsakte", "Concept leveringsakte.pdf",
         ["Concept van de akte van levering Prinsengracht 12 te Amsterdam.",
          "Controleer uw gegevens en laat het ons weten als iets niet klopt."]),
        ("Declaratie", "Declaratie NOT-2026-0077.pdf", ["Declaratie notariële werkzaamheden: EUR 1.150,00 inclusief btw."]),
    ]:
        publishing.receive_document(clerk, dossier_id, publishing.NewDocument(title=title, public=True), filename,
                                    [text_pdf(title, paragraphs, subtitle="NOT-2026-0077")])


def _statutes_content(clerk: Actor, dossier_id: int, company: Actor) -> None:
    move_to(clerk, dossier_id, "stukken", type_=DossierType.NOTARIAL_DEED)
    items = [
        (P, "Kopie legitimatiebewijs bestuurders", OK, CLIENT, False),
        (O, "Uittreksel Kamer van Koophandel", DEL, CLIENT, False),
        (O, "Notulen aandeelhoudersvergadering", TO, CLIENT, False),
    ]
    settle(clerk, company, "NOT-2026-0081", items, add_items(clerk, dossier_id, items))


def _income_content(reviewer: Actor, dossier_id: int, client: Actor) -> None:
    move_to(reviewer, dossier_id, "stukken", type_=DossierType.INCOME_STATEMENT)
    items = [
        (F, "Jaarrekening 2025", TO, CLIENT, False),
        (F, "Aangifte inkomstenbelasting 2025", TO, CLIENT, False),
        (F, "Aangifte inkomstenbelasting 2024", NA, CLIENT, True),
    ]
    ids = add_items(reviewer, dossier_id, items)
    stukkenlijst.send_upload_request(reviewer, dossier_id, [ids["Jaarrekening 2025"], ids["Aangifte inkomstenbelasting 2025"]],
                                     "Uw jaarrekening 2025 en de aangifte inkomstenbelasting.", title="Jaarcijfers 2025",
                                     due_date=date.today() + timedelta(days=10))
    settle(reviewer, client, "INK-2026-0311", items, ids)
    publishing.add_milestone(reviewer, dossier_id, "Dossier in behandeling genomen", date.today() - timedelta(days=3))


def _example(filename: str) -> str:
    """An office's questionnaire from the shipped example files (portal/questionnaires/)."""
    return (QUESTIONNAIRES / filename).read_text(encoding="utf-8")


FIRST = ["Anna", "Daan", "Emma", "Lucas", "Sophie", "Sem", "Julia", "Noah", "Tess", "Finn", "Mila", "Levi", "Sara", "Bram",
         "Lotte", "Thijs", "Fleur", "Jesse", "Iris", "Ruben"]
LAST = ["de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos",
        "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits"]
LENDERS = ["ABN AMRO", "ING", "Rabobank", "Obvion", "a.s.r.", "Florius", "Aegon", "Nationale-Nederlanden", "Munt Hypotheken", "Lloyds"]
STREETS = ["Keizersgracht", "Amstelveenseweg", "Overtoom", "Rijnstraat", "Zuidas", "Van Baerlestraat", "Ceintuurbaan", "Weesperzijde"]


def _bulk_dossiers(adviser: Actor, count: int) -> None:
    """Hundreds of dossiers for the mortgage office, so paging, search and filters are real: clients, dossiers and
    their items through the domain; their phases, item statuses and last changes (a year of history) directly."""
    rng = random.Random(2026)
    phases = ["aanvraag", "r_aanbod", "documenten", "h_aanbod", "passeren"]
    statuses = [RequestStatus.TO_DELIVER, RequestStatus.DELIVERED, RequestStatus.APPROVED, RequestStatus.REJECTED]
    history = []
    for i in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first}.{last}.{1000 + i}".lower().replace(" ", "") + "@example.nl"
        client = clients.create_client(adviser, clients.ClientForm(name=f"{first} {last}", email=email))
        title = f"Aankoop {rng.choice(STREETS)} {rng.randint(1, 240)}"
        with_adviser = rng.random() < 0.6
        adviser_id = rng.choice([adviser]).user_id if with_adviser else None
        linked = rng.random() < 0.2
        dossier_id = dossier_admin.create_dossier(adviser, dossier_admin.DossierForm(
            type=DossierType.MORTGAGE.value, reference=f"HYP-2025-{1000 + i:04d}", title=title, client_ids=(client.id,),
            adviser_user_id=adviser_id, lender=rng.choice(LENDERS), intermediary_email=ZUIDAS_EMAIL if linked else ""))
        phase, updated = rng.choice(phases), _at(rng.randint(0, 365), rng.randint(8, 18))
        items = {}
        for j in range(rng.randint(0, 8)):
            category, status = rng.choice(list(RequestCategory)), rng.choice(statuses)
            items[stukkenlijst.add_item(adviser, dossier_id, stukkenlijst.ItemInput(
                title=f"Document {j + 1}", category=category.value))] = status
        history.append((dossier_id, phase, updated, items))
    _bulk_history(history)


def load_if_empty() -> bool:
    """Load the demo data when there are no users yet. Returns whether it loaded."""
    with session_scope() as db:
        if db.exec(select(func.count()).select_from(User)).one():
            return False
    with notify.muted():  # the demo's publishing, requests and reviews mail nobody
        load()
    return True


def print_logins(out=sys.stdout) -> None:
    out.write("\nDemo logins (password for all: %s)\n" % DEMO_PASSWORD)
    for email, _name, what in DEMO_LOGINS:
        out.write(f"  {email:<28} {what}\n")
    out.write("\n")


# ---------------------------------------------------------------------------------------------
# Written directly: what no domain function creates
#
# - offices, staff users and their roles (there is no screen to found an office or hire staff);
# - the clients' logins and passwords, and which clients they act for (a login comes with an invitation, which
#   needs a mail and the client's own choice of password; the demo's logins exist from the start);
# - the past: every domain function stamps "now", so dates of documents and deliveries, and the bulk dossiers'
#   last changes, are set afterwards; also what only time brings (the bulk dossiers' phases and item statuses,
#   "voorlopig akkoord", which no screen sets);
# - phase data no screen edits (the application's data, the rate offer's amounts, a deed's data), a signature
#   request and a correspondence message without a file (no domain function makes either).
# ---------------------------------------------------------------------------------------------


def _at(days_ago: int, hour: int = 10) -> datetime:
    moment = datetime.now(timezone.utc) - timedelta(days=days_ago)
    return moment.replace(hour=hour, minute=15, second=0, microsecond=0)


STAFF = [  # (e-mail, name, office, roles)
    ("bob@amstelhypotheek.nl", "Bob Smit", "advice", (StaffRole.ADVISER, StaffRole.REVIEWER)),
    ("carol@notarisvandijk.nl", "Carol Mulder", "notary", (StaffRole.REVIEWER, StaffRole.OFFICE_ADMIN)),
    ("ivo@zuidasfinancieel.nl", "Ivo Peters", "zuidas", (StaffRole.ADVISER,)),
    ("olga@amstelhypotheek.nl", "Olga Vermeulen", "advice", (StaffRole.OFFICE_ADMIN,)),
    ("ingrid@inkomenscheck.nl", "Ingrid Bos", "income", (StaffRole.REVIEWER,)),
]
CLIENT_LOGINS = [  # (e-mail, name, mobile)
    ("alice@example.nl", "Alice de Jong", "+31612345678"),
    ("info@bakkerijjansen.nl", "Marja Jansen", "+31623456789"),
    ("piet@bakkerijjansen.nl", "Piet Jansen", ""),
    ("erik@example.nl", "Erik Visser", "+31634567890"),
]


def _accounts() -> Cast:
    """The offices, the staff with their roles, and the clients' logins (not yet linked to a client)."""
    pw = hash_password(DEMO_PASSWORD)
    with session_scope() as db:
        offices = {
            "notary": Office(name="Notariskantoor Van Dijk", kind=OfficeKind.HANDLING, email="kantoor@notarisvandijk.nl",
                             brand_color="#24476b"),
            "advice": Office(name="Amstel Hypotheekadvies", kind=OfficeKind.HANDLING, email="info@amstelhypotheek.nl",
                             brand_color="#1d5c4d"),
            "income": Office(name="InkomensCheck", kind=OfficeKind.HANDLING, email="service@inkomenscheck.nl",
                             brand_color="#5b3a7a"),
            "zuidas": Office(name="Zuidas Financieel", kind=OfficeKind.INTERMEDIARY, email=ZUIDAS_EMAIL, brand_color="#7a4a1d"),
        }
        db.add_all(offices.values())
        for email, name, phone in CLIENT_LOGINS:
            db.add(User(email=email, full_name=name, kind=UserKind.CLIENT, password_hash=pw, phone=phone))
        db.flush()
        for email, name, office, roles in STAFF:
            user = User(email=email, full_name=name, kind=UserKind.STAFF, password_hash=pw)
            db.add(user)
            db.flush()
            db.add_all(StaffMembership(user_id=user.id, office_id=offices[office].id, role=role) for role in roles)
        office_ids = {k: o.id for k, o in offices.items()}
    return _refresh(Cast(office_ids, {}))


def _refresh(cast: Cast) -> Cast:
    """Everyone's Actor as a login would build it now (after their memberships changed)."""
    with session_scope() as db:
        users = db.exec(select(User)).all()
        return Cast(cast.offices, {u.email.split("@")[0]: _actor_for(db, u, None) for u in users})


def _link_logins(links: dict[str, tuple]) -> None:
    """Each login acts for its clients (at every office that keeps them): primary, or a company's extra account."""
    with session_scope() as db:
        for email, (client_ids, primary) in links.items():
            user = db.exec(select(User).where(User.email == email)).one()
            db.add_all(ClientMember(client_id=c, user_id=user.id, is_primary=primary) for c in client_ids)


def _reference(dossier_id: int) -> str:
    with session_scope() as db:
        return db.get(Dossier, dossier_id).reference


def _sign_action(dossier_id: int, title: str) -> None:
    with session_scope() as db:
        db.add(Action(dossier_id=dossier_id, kind=ActionKind.SIGN, title=title))


def mortgage_history(dossier_id: int, applicant: str, adviser_name: str = "Bob Smit") -> None:
    """The mortgage's past: the application's and the rate offer's data, dates of its documents and deliveries,
    "voorlopig akkoord" for the bank statement, and an e-mail kept as correspondence."""
    with session_scope() as db:
        dossier = db.get(Dossier, dossier_id)
        today = date.today()
        details = dict(dossier.details or {})
        details["aanvraag"] = {"applicant": applicant, "address": "Prinsengracht 12, 1015 DV Amsterdam", "purchase_price": 475000,
                               "loan_amount": 420000, "lender": "Rabobank", "product": "Annuïteitenhypotheek", "nhg": False,
                               "submitted_on": (today - timedelta(days=40)).isoformat()}
        details["r_aanbod"] = {**details.get("r_aanbod", {}), "lender": "Rabobank", "loan_amount": 420000,
                               "fixed_period_years": 20, "offer_date": (today - timedelta(days=30)).isoformat(),
                               "conditions": "Onder voorbehoud van een positieve taxatie en een werkgeversverklaring."}
        dossier.details = details
        office_days = {title: days for title, _f, _p, _k, _pub, days in MORTGAGE_DOCUMENTS}
        delivered_days = {title: days for _c, title, _s, _b, _n, days in MORTGAGE_REQUESTS if days is not None}
        for doc in db.exec(select(Document).where(Document.dossier_id == dossier_id)).all():
            days = office_days.get(doc.title) if doc.kind != DocumentKind.DELIVERED else delivered_days.get(doc.title)
            if days is not None:
                doc.created_at = _at(days)
        for delivery, title in db.exec(select(Delivery, DocumentRequest.title).join(
                DocumentRequest, DocumentRequest.id == Delivery.request_id).where(Delivery.dossier_id == dossier_id)).all():
            if delivered_days.get(title) is not None:
                delivery.created_at = _at(delivered_days[title])
        for request in db.exec(select(DocumentRequest).where(DocumentRequest.dossier_id == dossier_id,
                                                             DocumentRequest.title == "IBAN-bewijs (bankafschrift)")).all():
            request.status = RequestStatus.PROVISIONALLY_APPROVED
        adviser = db.exec(select(User.id).where(User.full_name == adviser_name)).first()
        first = applicant.split()[0]
        db.add(Document(dossier_id=dossier_id, kind=DocumentKind.CORRESPONDENCE, title="E-mail: stand van zaken", is_public=True,
                        body=f"Beste {first},\n\nDe taxatie is ingepland op donderdag. Zodra het rapport binnen is, hoor je van ons.\n\n"
                             "Met vriendelijke groet,\nBob Smit", created_at=_at(5), created_by_user_id=adviser))


def _history(mortgage: int, deed: int) -> None:
    mortgage_history(mortgage, "Alice de Jong")
    with session_scope() as db:
        dossier = db.get(Dossier, deed)
        dossier.details = {
            "intake": {"property": "Prinsengracht 12, Amsterdam", "buyer": "Alice de Jong", "seller": "J. van Leeuwen"},
            "stukken": {"notary": "mr. H. van Dijk"},
            "concept_akte": {"signing_date": (date.today() + timedelta(days=21)).isoformat()},
        }
        for doc, days in [("Concept leveringsakte", 2), ("Declaratie", 1)]:
            for row in db.exec(select(Document).where(Document.dossier_id == deed, Document.title == doc)).all():
                row.created_at = _at(days)


def _bulk_history(history: list[tuple[int, str, datetime, dict[int, RequestStatus]]]) -> None:
    with session_scope() as db:
        for dossier_id, phase, updated, items in history:
            for request in db.exec(select(DocumentRequest).where(DocumentRequest.id.in_(list(items) or [-1]))).all():
                request.status = items[request.id]
            dossier = db.get(Dossier, dossier_id)
            dossier.phase, dossier.updated_at = phase, updated


# ---------------------------------------------------------------------------------------------
# the end-to-end tests' copies of Alice's mortgage (tests/e2e/data.py)
# ---------------------------------------------------------------------------------------------


def _fresh_client(staff_email: str, email: str, name: str, language: str) -> tuple[Actor, Actor, int, int]:
    """A new client login and the office's client record for it: (staff actor, client actor, client id, user id)."""
    email = email.lower()
    with session_scope() as db:
        user = User(email=email, full_name=name, kind=UserKind.CLIENT, language=language,
                    password_hash=hash_password(DEMO_PASSWORD))
        db.add(user)
        db.flush()
        user_id = user.id
        staff = _actor_for(db, db.exec(select(User).where(User.email == staff_email)).one(), None)
    client = clients.create_client(staff, clients.ClientForm(name=name, email=email, language=language))
    _link_logins({email: ([client.id], True)})
    with session_scope() as db:
        return staff, _actor_for(db, db.get(User, user_id), None), client.id, user_id


def fresh_mortgage(email: str, name: str, language: str = "nl") -> dict:
    """A new client login (``language`` in its profile) with a mortgage like Alice's at Bob's office, made the same
    way as the demo's, with its two upload requests. Returns ids for the tests."""
    bob, client, client_id, user_id = _fresh_client("bob@amstelhypotheek.nl", email, name, language)
    reference = f"HYP-2099-{user_id:04d}"
    dossier_id = new_dossier(bob, reference, DossierType.MORTGAGE, f"Aankoop {name}", client_id, lender="Rabobank")
    pay = (PAY_REQUEST[0], "Uw laatste loonstrook en een recente werkgeversverklaring.", *PAY_REQUEST[2:])
    built = build_mortgage(bob, dossier_id, client, requests=[ID_REQUEST, pay])
    mortgage_history(dossier_id, name)
    return {"dossier_id": dossier_id, "reference": reference, "id_action": built["actions"][ID_REQUEST[0]],
            "pay_action": built["actions"][PAY_REQUEST[0]], "requests": built["requests"]}


def fresh_deed(email: str, name: str, language: str = "nl") -> dict:
    """A new client login with a notarial deed at Carol's office, in phase Concept-akte. Returns ids for the tests."""
    carol, _client, client_id, user_id = _fresh_client("carol@notarisvandijk.nl", email, name, language)
    reference = f"NOT-2099-{user_id:04d}"
    dossier_id = new_dossier(carol, reference, DossierType.NOTARIAL_DEED, f"Leveringsakte {name}", client_id, adviser=False)
    move_to(carol, dossier_id, "concept_akte", type_=DossierType.NOTARIAL_DEED)
    return {"dossier_id": dossier_id, "reference": reference}


if __name__ == "__main__":
    loaded = load_if_empty()
    print("Demo data loaded." if loaded else "Database already has users; demo data not loaded.")
    print_logins()
