"""Test data for the end-to-end tests: fresh clients with a mortgage dossier, files to upload, database reads.

Tests that change state (deliver, review) each make their own client with ``fresh_mortgage_client``
(the demo mortgage's stukkenlijst, documents and milestones, handled by Bob's office, made by the demo's own
``portal.demo.fresh_mortgage`` through the domain functions), so no test
depends on another's order; questionnaire tests use ``fresh_notary_client`` (a deed at Carol's notary
office with the intake questionnaire sent to it) and ``answer_questionnaire`` to skip pages they do not
test. Everything is written through the app's own code in the server's environment
(``Server.run_python``); reads go straight to the server's SQLite file (``sql``).

Demo facts the tests rely on (portal/demo.py): Alice's mortgage HYP-2026-0142 is in phase
``documenten``; of its 19 items 2 are delivered by the lender (``maatschappij``), so a client sees 17,
of which 8 are handled (delivered, provisionally approved, approved or not available).
"""

from __future__ import annotations

import io
import json
import sqlite3
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from PIL import ExifTags, Image

from .helpers import Server

ALICE_MORTGAGE = "HYP-2026-0142"
ALICE_MORTGAGE_TITLE = "Aankoop Prinsengracht 12, Amsterdam"
ERIK_HIDDEN = "HYP-2026-0163"
ERIK_HIDDEN_TITLE = "Oversluiten hypotheek Utrecht"
# the demo mortgage's stukkenlijst as a client sees it: 17 items, 8 handled; staff see 19
CLIENT_TOTAL, CLIENT_HANDLED, STAFF_TOTAL = 17, 8, 19
LENDER_ITEMS = ["Uittreksel BKR", "Getekende offerte overlijdensrisicoverzekering"]
UNPUBLISHED = ["Concept declaratie (intern)", "Interne notitie: taxateur gebeld"]
CATEGORIES = ["Persoonlijk", "Huidige woning", "Nieuwe woning", "Financiering", "Overig"]


# ---------------------------------------------------------------------------------------------
# reading the server's database
# ---------------------------------------------------------------------------------------------


def sql(server: Server, query: str, *params) -> list[tuple]:
    """Rows of a read-only query on the server's SQLite database."""
    path = server.data_dir / "portal.db"
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)) as con:
        return con.execute(query, params).fetchall()


def dossier_id(server: Server, reference: str) -> int:
    rows = sql(server, "SELECT id FROM dossier WHERE reference = ?", reference)
    assert len(rows) == 1, f"{reference}: {rows}"
    return rows[0][0]


def request_id(server: Server, reference: str, title: str) -> int:
    rows = sql(
        server,
        "SELECT r.id FROM documentrequest r JOIN dossier d ON d.id = r.dossier_id WHERE d.reference = ? AND r.title = ?",
        reference, title,
    )
    assert len(rows) == 1, f"{reference} / {title}: {rows}"
    return rows[0][0]


def staged_count(server: Server, request: int) -> int:
    return sql(server, "SELECT count(*) FROM upload WHERE request_id = ? AND status = 'staged'", request)[0][0]


# ---------------------------------------------------------------------------------------------
# fresh clients
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FreshClient:
    """A client login with a copy of the demo mortgage (and its two upload requests)."""

    email: str
    name: str
    dossier_id: int
    reference: str
    id_action: int  # "Kopie legitimatiebewijs": one item, open
    pay_action: int  # "Loonstroken en werkgeversverklaring": a delivered and a rejected item
    requests: dict[str, int]  # item title -> request id


def fresh_mortgage_client(server: Server, email_address: str, full_name: str, *, language: str = "nl") -> FreshClient:
    """A new client (``language`` in the profile) with a mortgage like Alice's, adviser Bob."""
    out = server.run_python(
        f"""
        import json
        from portal.demo import fresh_mortgage
        print(json.dumps(fresh_mortgage({email_address!r}, {full_name!r}, {language!r})))
        """
    )
    data = json.loads(out.strip().splitlines()[-1])
    return FreshClient(email=email_address.lower(), name=full_name, **data)


def stage_files(server: Server, email_address: str, request: int, files: list[tuple[str, bytes]], *, confirm: bool = False) -> None:
    """Stage ``files`` for an item as the user (the upload route's own domain calls), and optionally Bevestigen."""
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for n, (name, data) in enumerate(files):
            path = Path(folder) / f"{n}.bin"
            path.write_bytes(data)
            paths.append((name, str(path)))
        server.run_python(
            f"""
            from pathlib import Path
            from sqlmodel import select
            from portal.db.engine import session_scope
            from portal.db.models import User
            from portal.domain import deliveries
            from portal.domain.auth import _actor_for
            with session_scope() as db:
                actor = _actor_for(db, db.exec(select(User).where(User.email == {email_address.lower()!r})).one(), None)
            for name, path in {paths!r}:
                deliveries.receive_upload(actor, {request}, name, [Path(path).read_bytes()])
            if {confirm!r}:
                deliveries.confirm(actor, {request})
            """
        )


# ---------------------------------------------------------------------------------------------
# questionnaires
# ---------------------------------------------------------------------------------------------

NOTARY_OFFICE = "Notariskantoor Van Dijk"
INTAKE_KEY = "notaris-intake-koop"  # portal/questionnaires/notaris-intake-koop.yaml: 3 pages
INTAKE_TITLE = {"nl": "Vragenlijst aankoop woning", "en": "Questionnaire house purchase"}

# the intake's answers as its form sends them, page by page (a married client with one child)
INTAKE_FORMS = [
    {"q__naam": "Sanne de Vries", "q__geboortedatum": "1988-04-12", "q__bsn": "111222333", "q__email": "sanne@example.nl",
     "q__telefoon": "0612345678", "q__adres__postcode": "1015 DV", "q__adres__number": "12"},
    {"q__staat": "gehuwd", "q__huwelijkse_voorwaarden": "no", "q__partner_naam": "Daan de Vries",
     "q__kinderen__0__naam": "Noor de Vries", "q__kinderen__0__geboortedatum": "2015-06-01"},
    {"q__object__postcode": "1016 GV", "q__object__number": "263", "q__koopsom": "475.000", "q__hypotheek": "yes",
     "q__geldverstrekker": "Rabobank", "q__iban": "NL91ABNA0417164300", "q__voorkeur__ochtend": "on"},
]


@dataclass(frozen=True)
class FreshNotaryClient:
    """A client login with a notarial deed at Carol's office and the intake questionnaire sent to it."""

    email: str
    name: str
    dossier_id: int
    reference: str
    response_id: int  # /vragenlijst/<response_id>
    action_id: int


def fresh_notary_client(server: Server, email_address: str, full_name: str, *, language: str = "nl") -> FreshNotaryClient:
    """A new client (``language`` in the profile) with a deed at the notary; Carol sends it the newest intake."""
    out = server.run_python(
        f"""
        import json
        from sqlmodel import select
        from portal.db.engine import session_scope
        from portal.db.models import Office, QuestionnaireDefinition, QuestionnaireResponse, User
        from portal.demo import fresh_deed
        from portal.domain import questionnaires
        from portal.domain.auth import _actor_for

        fresh = fresh_deed({email_address!r}, {full_name!r}, {language!r})
        dossier_id, reference = fresh["dossier_id"], fresh["reference"]
        with session_scope() as db:
            office = db.exec(select(Office).where(Office.name == {NOTARY_OFFICE!r})).one()
            carol = _actor_for(db, db.exec(select(User).where(User.email == "carol@notarisvandijk.nl")).one(), None)
            definition = db.exec(select(QuestionnaireDefinition).where(QuestionnaireDefinition.office_id == office.id,
                                 QuestionnaireDefinition.key == {INTAKE_KEY!r}).order_by(QuestionnaireDefinition.version.desc())).first()
        [response_id] = questionnaires.send_questionnaire(carol, dossier_id, definition.id)
        with session_scope() as db:
            action_id = db.get(QuestionnaireResponse, response_id).action_id
        print(json.dumps({{"dossier_id": dossier_id, "reference": reference, "response_id": response_id, "action_id": action_id}}))
        """
    )
    data = json.loads(out.strip().splitlines()[-1])
    return FreshNotaryClient(email=email_address.lower(), name=full_name, **data)


def answer_questionnaire(server: Server, email_address: str, response: int, forms: list[dict[str, str]], *, complete: bool = False) -> None:
    """Save ``forms`` page after page as the client (what Volgende does), and optionally Afronden."""
    server.run_python(
        f"""
        from sqlmodel import select
        from portal.db.engine import session_scope
        from portal.db.models import User
        from portal.domain import questionnaires
        from portal.domain.auth import _actor_for
        with session_scope() as db:
            actor = _actor_for(db, db.exec(select(User).where(User.email == {email_address.lower()!r})).one(), None)
        for page, form in enumerate({forms!r}):
            result = questionnaires.save_page(actor, {response}, page, form)
            assert not result.errors, result.errors
        if {complete!r}:
            questionnaires.complete(actor, {response})
        """
    )


def response_row(server: Server, response: int) -> tuple[str, int, str, int | None]:
    """(status, current page, answers as JSON, document id) of a questionnaire response."""
    rows = sql(server, "SELECT status, current_page, answers, document_id FROM questionnaireresponse WHERE id = ?", response)
    assert len(rows) == 1, rows
    return rows[0]


# ---------------------------------------------------------------------------------------------
# files to upload
# ---------------------------------------------------------------------------------------------

GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (52.0, 22.0, 12.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (4.0, 53.0, 30.0),
}


def jpeg(color: tuple[int, int, int], *, gps: bool = False, size: tuple[int, int] = (1200, 900)) -> bytes:
    """A phone-like photo: a JPEG with camera EXIF, and a GPS position when ``gps``."""
    img = Image.new("RGB", size, color)
    for x in range(0, size[0], 60):  # some structure, so the preview is not one flat colour
        img.paste((255, 255, 255), (x, 0, x + 8, size[1]))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "E2E Camera"
    if gps:
        exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85, exif=exif)
    return buf.getvalue()


def has_gps(data: bytes) -> bool:
    return bool(Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo))


def pdf(color: tuple[int, int, int] = (240, 240, 240)) -> bytes:
    """A small, plain PDF (one image page, no scripts)."""
    buf = io.BytesIO()
    Image.new("RGB", (595, 842), color).save(buf, "PDF")
    return buf.getvalue()


def payload(name: str, data: bytes, mime: str) -> dict:
    """A file for ``Locator.set_input_files``."""
    return {"name": name, "mimeType": mime, "buffer": data}
