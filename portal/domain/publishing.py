"""What the handling office puts in a dossier for its client: office documents (with **Publiek**), milestones
(Voortgang), the phase and each phase's data.

Every function takes the acting user, asks ``access`` (``may_publish``, ``may_move_phase``: an adviser or reviewer
of the handling office; anyone else gets NotFound, as for a missing dossier), validates with catalog messages and
audits. Office documents arrive through the same private, checked file pipeline as the clients' uploads
(``intake.Spool``, ``filecheck.check_pdf``, the file store's atomic ``adopt``); only PDFs are accepted. A client sees
a document or milestone only once it is public (``access.document_filter``, ``access.milestone_filter``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlmodel import Session, select

from portal.adapters import filecheck
from portal.adapters.filecheck import Refused
from portal.adapters.filestore import get_file_store
from portal.db.engine import session_scope
from portal.db.models import Document, DocumentKind, Dossier, DossierType, Milestone, utcnow
from portal.domain import access, audit, notify
from portal.domain.actor import Actor
from portal.domain.deliveries import intake
from portal.domain.deliveries.housekeeping import sniff_file
from portal.domain.errors import InvalidInput
from portal.domain.phases import phases_of

TITLE_MAX = 200
DESCRIPTION_MAX = 2000
OFFICE_KINDS = (DocumentKind.DOCUMENT, DocumentKind.CORRESPONDENCE)

# one-click milestones of an income statement (seed 003: "in behandeling", "rapport gereed"): (title, description)
STANDARD_MILESTONES: dict[str, tuple[str, str]] = {
    "in_behandeling": ("In behandeling", "Wij hebben uw dossier in behandeling genomen."),
    "rapport_gereed": ("Rapport gereed", "Het rapport is gereed. U vindt het onder Documenten."),
}

# the phase data the office edits, per phase of a mortgage: field -> kind
EDITABLE_PHASE_FIELDS: dict[str, dict[str, str]] = {
    "r_aanbod": {"interest_rate": "percent", "term_months": "term", "valid_until": "date",
                 "rate_offer_document_id": "document", "conditions_document_id": "document"},
    "h_aanbod": {"binding_offer_document_id": "document"},
    "passeren": {"signing_date": "date", "notary": "text"},
}


# --- validation --------------------------------------------------------------------------------


def clean_title(title: object, msgid: str = "publish.title_required") -> str:
    """A title as typed, trimmed; refused when empty or longer than 200 characters.

    >>> clean_title("  Renteaanbod Rabobank ")
    'Renteaanbod Rabobank'
    >>> clean_title("")
    Traceback (most recent call last):
    ...
    portal.errors.InvalidInput: publish.title_required
    """
    text = " ".join(str(title or "").split())
    if not text:
        raise InvalidInput(msgid)
    if len(text) > TITLE_MAX:
        raise InvalidInput("publish.title_too_long", max=TITLE_MAX)
    return text


def document_kind(kind: object) -> DocumentKind:
    """An office document's kind: ``document`` or ``correspondence``; anything else is refused.

    >>> document_kind("correspondence").value
    'correspondence'
    """
    if kind not in {k.value for k in OFFICE_KINDS}:
        raise InvalidInput("publish.kind_invalid")
    return DocumentKind(kind)


def parse_date(value: object, msgid: str = "publish.date_invalid") -> date:
    """A date as the browser's date field sends it (ISO), within 1900–2199.

    >>> parse_date("2026-12-06")
    datetime.date(2026, 12, 6)
    """
    try:
        found = date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise InvalidInput(msgid) from None
    if not 1900 <= found.year <= 2199:
        raise InvalidInput(msgid)
    return found


def parse_rate(value: object) -> float:
    """An interest rate in percent, with a comma or a point, above 0 and below 20.

    >>> parse_rate("3,85"), parse_rate("4.1 %")
    (3.85, 4.1)
    """
    text = str(value or "").strip().rstrip("%").strip().replace(",", ".")
    try:
        rate = Decimal(text)
    except InvalidOperation:
        raise InvalidInput("phase.rate_invalid") from None
    if not rate.is_finite() or not Decimal(0) < rate < Decimal(20) or rate != rate.quantize(Decimal("0.001")):
        raise InvalidInput("phase.rate_invalid")
    return float(rate)


def parse_term(years: object, months: object) -> int:
    """A term (looptijd) of whole years and months, as a number of months: 1 month to 50 years.

    >>> parse_term("30", ""), parse_term("0", "6")
    (360, 6)
    """
    try:
        y = int(str(years or "0").strip() or "0")
        m = int(str(months or "0").strip() or "0")
    except ValueError:
        raise InvalidInput("phase.term_invalid") from None
    total = y * 12 + m
    if y < 0 or not 0 <= m <= 11 or not 1 <= total <= 600:
        raise InvalidInput("phase.term_invalid")
    return total


# --- office documents --------------------------------------------------------------------------


@dataclass(frozen=True)
class NewDocument:
    """What the office says about a document it uploads (the file itself comes separately)."""

    title: str
    kind: str = DocumentKind.DOCUMENT.value
    public: bool = False

    def checked(self) -> NewDocument:
        return NewDocument(clean_title(self.title), document_kind(self.kind).value, bool(self.public))


def check_document_upload_allowed(actor: Actor, dossier_id: int, meta: NewDocument) -> NewDocument:
    """Before a byte of the body is read: NotFound unless ``actor`` may publish in this dossier; the title and
    kind validated."""
    with session_scope() as db:
        access.get_dossier_for(db, actor, dossier_id, access.may_publish)
    return meta.checked()


def add_document(actor: Actor, dossier_id: int, meta: NewDocument, filename: str, incoming: Path, *, sha256: str,
                 pdf_syntax_flagged: bool | None = None) -> int:
    """Check a spooled, fsynced file (this call owns it: adopted into the store or removed) and add it to the
    dossier as an office document, public or not. Only a PDF that passes ``filecheck.check_pdf``. Returns its id."""
    store = get_file_store()
    stored = None
    try:
        meta = meta.checked()
        filename = intake.with_extension(intake.check_filename(filename), "pdf")
        if sniff_file(incoming) != "pdf":
            raise Refused("publish.pdf_only")
        filecheck.check_pdf(incoming, syntax_flagged=pdf_syntax_flagged)
        stored = store.adopt(incoming, size=incoming.stat().st_size, sha256=sha256)
        with session_scope() as db:
            dossier = access.get_dossier_for(db, actor, dossier_id, access.may_publish)
            doc = Document(
                dossier_id=dossier.id, kind=DocumentKind(meta.kind), title=meta.title, filename=filename,
                storage_key=stored.key, content_type="application/pdf", size=stored.size, sha256=stored.sha256,
                is_public=meta.public, created_by_user_id=actor.user_id,
            )
            db.add(doc)
            dossier.updated_at = utcnow()
            db.flush()
            audit.record(db, "document.uploaded", user_id=actor.user_id, object_type="document", object_id=doc.id,
                         ip=actor.ip, dossier_id=dossier.id, kind=meta.kind, size=stored.size)
            if meta.public:
                audit.record(db, "document.published", user_id=actor.user_id, object_type="document", object_id=doc.id,
                             ip=actor.ip, dossier_id=dossier.id)
                notify.to_clients(db, dossier.id, "document")
            return doc.id
    except BaseException:
        if stored is not None:
            store.delete(stored.key)
        raise
    finally:
        incoming.unlink(missing_ok=True)


def receive_document(actor: Actor, dossier_id: int, meta: NewDocument, filename: str, chunks: Iterable[bytes], *,
                     max_bytes: int | None = None) -> int:
    """The whole pipeline in one call (the route does the same step by step, streaming): check, spool, add."""
    intake.check_filename(filename)
    check_document_upload_allowed(actor, dossier_id, meta)
    spool = intake.Spool(max_bytes)
    try:
        for chunk in chunks:
            spool.write(chunk)
    except BaseException:
        spool.discard()
        raise
    path = spool.finish()
    return add_document(actor, dossier_id, meta, filename, path, sha256=spool.sha256, pdf_syntax_flagged=spool.pdf_syntax_flagged)


def _office_document(db: Session, actor: Actor, document_id: int) -> tuple[Document, Dossier]:
    """An office document (not a delivered one) of a dossier ``actor`` publishes in; NotFound otherwise."""
    doc = access.get_document(db, actor, document_id)
    dossier = db.get(Dossier, doc.dossier_id)
    if doc.kind not in OFFICE_KINDS or dossier is None or not access.may_publish(actor, dossier):
        raise access.denied(db, actor, "document", document_id, need="publish")
    return doc, dossier


def set_document_public(actor: Actor, document_id: int, public: bool) -> None:
    """Publiek on (the client sees it) or off (unpublished again); audited only when it changes."""
    with session_scope() as db:
        doc, dossier = _office_document(db, actor, document_id)
        if doc.is_public == bool(public):
            return
        doc.is_public = bool(public)
        dossier.updated_at = utcnow()
        audit.record(db, "document.published" if public else "document.unpublished", user_id=actor.user_id,
                     object_type="document", object_id=doc.id, ip=actor.ip, dossier_id=dossier.id)
        if public:
            notify.to_clients(db, dossier.id, "document")


# --- milestones ---------------------------------------------------------------------------------


def add_milestone(actor: Actor, dossier_id: int, title: str, on: object, description: str = "", *, public: bool = True) -> int:
    """A progress step (Voortgang) on a date, public or internal. Returns its id."""
    title = clean_title(title, "milestone.title_required")
    description = str(description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise InvalidInput("milestone.description_too_long", max=DESCRIPTION_MAX)
    day = parse_date(on, "milestone.date_invalid")
    with session_scope() as db:
        dossier = access.get_dossier_for(db, actor, dossier_id, access.may_publish)
        return _add_milestone(db, actor, dossier, title, day, description, public)


def _add_milestone(db: Session, actor: Actor, dossier: Dossier, title: str, day: date, description: str, public: bool) -> int:
    now = utcnow()
    at = now if day == now.date() else datetime.combine(day, time(12, 0), tzinfo=timezone.utc)
    ms = Milestone(dossier_id=dossier.id, title=title, description=description, occurred_at=at, is_public=bool(public))
    db.add(ms)
    dossier.updated_at = now
    db.flush()
    audit.record(db, "milestone.added", user_id=actor.user_id, object_type="milestone", object_id=ms.id, ip=actor.ip,
                 dossier_id=dossier.id, public=bool(public))
    return ms.id


def add_standard_milestone(actor: Actor, dossier_id: int, key: str) -> int:
    """An income statement's one-click public milestone: "In behandeling" or "Rapport gereed" (seed 003)."""
    if key not in STANDARD_MILESTONES:
        raise InvalidInput("milestone.standard_unknown")
    with session_scope() as db:
        dossier = access.get_dossier_for(db, actor, dossier_id, access.may_publish)
        if dossier.type != DossierType.INCOME_STATEMENT:
            raise InvalidInput("milestone.standard_unknown")
        title, description = STANDARD_MILESTONES[key]
        milestone_id = _add_milestone(db, actor, dossier, title, utcnow().date(), description, True)
        notify.to_clients(db, dossier.id, key)  # seed 003: "in behandeling", "rapport gereed"
        return milestone_id


def set_milestone_public(actor: Actor, milestone_id: int, public: bool) -> None:
    """Publiek on or off for a milestone; NotFound unless ``actor`` publishes in its dossier."""
    with session_scope() as db:
        ms = db.get(Milestone, milestone_id) if access.is_row_id(milestone_id) else None
        dossier = db.get(Dossier, ms.dossier_id) if ms is not None else None
        if dossier is None:
            raise access.denied(db, actor, "milestone", milestone_id)
        try:
            dossier = access.get_dossier_for(db, actor, dossier.id, access.may_publish)
        except access.NotFound:
            raise access.denied(db, actor, "milestone", milestone_id) from None
        if ms.is_public == bool(public):
            return
        ms.is_public = bool(public)
        dossier.updated_at = utcnow()
        audit.record(db, "milestone.published" if public else "milestone.unpublished", user_id=actor.user_id,
                     object_type="milestone", object_id=ms.id, ip=actor.ip, dossier_id=dossier.id)


# --- phases --------------------------------------------------------------------------------------


def move_phase(actor: Actor, dossier_id: int, step: int, expected: str) -> str:
    """Move the dossier one phase on (``step`` 1) or back (-1) from ``expected``, the phase the screen showed (so a
    second click, or a colleague's move meanwhile, moves nothing unseen). Returns the new phase."""
    with session_scope() as db:
        dossier = access.get_dossier_for(db, actor, dossier_id, access.may_move_phase)
        if dossier.phase != expected:
            raise InvalidInput("phase.changed_meanwhile")
        phases = phases_of(dossier.type)
        at = phases.index(dossier.phase) + (1 if step > 0 else -1)
        if not 0 <= at < len(phases):
            raise InvalidInput("phase.no_next" if step > 0 else "phase.no_previous")
        before, dossier.phase = dossier.phase, phases[at]
        dossier.updated_at = utcnow()
        audit.record(db, "dossier.phase_moved", user_id=actor.user_id, object_type="dossier", object_id=dossier.id,
                     ip=actor.ip, before=before, after=dossier.phase)
        return dossier.phase


def _office_document_ids(db: Session, dossier: Dossier) -> set[int]:
    return set(db.exec(select(Document.id).where(Document.dossier_id == dossier.id, Document.kind.in_(OFFICE_KINDS))).all())


def update_phase_details(actor: Actor, dossier_id: int, phase: str, values: dict[str, object]) -> None:
    """Store a mortgage phase's data (``EDITABLE_PHASE_FIELDS``) in ``Dossier.details[phase]``; an empty value clears
    a field. Documents must be office documents of this dossier. Other data of the phase stays as it is."""
    fields = EDITABLE_PHASE_FIELDS.get(phase)
    if fields is None:
        raise InvalidInput("phase.no_details")
    with session_scope() as db:
        dossier = access.get_dossier_for(db, actor, dossier_id, access.may_move_phase)
        if dossier.type != DossierType.MORTGAGE:
            raise InvalidInput("phase.no_details")
        own_docs = _office_document_ids(db, dossier)
        data = dict((dossier.details or {}).get(phase) or {})
        for key, kind in fields.items():
            if kind == "term":
                years, months = values.get("term_years", ""), values.get("term_months", "")
                data[key] = parse_term(years, months) if str(years or "").strip() or str(months or "").strip() else None
                continue
            raw = str(values.get(key, "") or "").strip()
            if not raw:
                data[key] = None
            elif kind == "percent":
                data[key] = parse_rate(raw)
            elif kind == "date":
                data[key] = parse_date(raw).isoformat()
            elif kind == "document":
                if not raw.isdigit() or int(raw) not in own_docs:
                    raise InvalidInput("phase.document_invalid")
                data[key] = int(raw)
            else:
                if len(raw) > TITLE_MAX:
                    raise InvalidInput("phase.text_too_long", max=TITLE_MAX)
                data[key] = raw
        details = dict(dossier.details or {})
        details[phase] = {k: v for k, v in data.items() if v is not None}
        dossier.details = details  # a new dict: the JSON column sees the change
        dossier.updated_at = utcnow()
        audit.record(db, "dossier.phase_details_changed", user_id=actor.user_id, object_type="dossier", object_id=dossier.id,
                     ip=actor.ip, phase=phase)
