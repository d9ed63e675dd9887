"""A dossier's activity, read from the audit log: who viewed, downloaded, delivered, reviewed and published what,
and when; newest first, a page at a time, and as CSV for the office's own records.

For staff of the handling office only (``access.may_read_activity``); anyone else gets NotFound, as for a missing
dossier. Rows name people and things (the user's name, the document's or item's title), never raw ids. Denied
look-ups (``access.denied``) are security records, not dossier activity, and are left out.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_
from sqlmodel import Session, func, select

from portal.db.engine import session_scope
from portal.db.models import (
    AuditEvent,
    Delivery,
    Document,
    DocumentRequest,
    Dossier,
    Milestone,
    QuestionnaireResponse,
    Upload,
    User,
)
from portal.domain import access, audit
from portal.domain.actor import Actor

PAGE_SIZE = 25
CSV_MAX_ROWS = 20_000
LEFT_OUT = ("access.denied",)
# what each audit action ("document.published" as ("document", "published")) is called on the Activiteit tab and in
# the export: catalog ids; anything else is "other"
ACTION_LABELS = {
    ("dossier", "view"): "activity.action.dossier.view",
    ("document", "view"): "activity.action.document.view",
    ("document", "download"): "activity.action.document.download",
    ("document", "uploaded"): "activity.action.document.uploaded",
    ("document", "published"): "activity.action.document.published",
    ("document", "unpublished"): "activity.action.document.unpublished",
    ("milestone", "added"): "activity.action.milestone.added",
    ("milestone", "published"): "activity.action.milestone.published",
    ("milestone", "unpublished"): "activity.action.milestone.unpublished",
    ("dossier", "phase_moved"): "activity.action.dossier.phase_moved",
    ("dossier", "phase_details_changed"): "activity.action.dossier.phase_details_changed",
    ("activity", "exported"): "activity.action.activity.exported",
    ("upload", "staged"): "activity.action.upload.staged",
    ("upload", "removed"): "activity.action.upload.removed",
    ("upload", "view"): "activity.action.upload.view",
    ("upload", "failed"): "activity.action.upload.failed",
    ("delivery", "confirmed"): "activity.action.delivery.confirmed",
    ("delivery", "view"): "activity.action.delivery.view",
    ("delivery", "approved"): "activity.action.delivery.approved",
    ("delivery", "rejected"): "activity.action.delivery.rejected",
    ("request", "not_available"): "activity.action.request.not_available",
    ("request", "rerequested"): "activity.action.request.rerequested",
    ("questionnaire", "sent"): "activity.action.questionnaire.sent",
    ("questionnaire", "view"): "activity.action.questionnaire.view",
    ("questionnaire", "page_saved"): "activity.action.questionnaire.page_saved",
    ("questionnaire", "completed"): "activity.action.questionnaire.completed",
    ("questionnaire", "reopened"): "activity.action.questionnaire.reopened",
}
OTHER_ACTION = "activity.action.other"


@dataclass(frozen=True)
class ActivityRow:
    at: datetime
    who: str  # the user's name ("" for the system)
    action: str  # the audit action, e.g. "document.published"
    label_id: str  # what to call it (``ACTION_LABELS``)
    what: str  # the object's title or the dossier's reference


@dataclass(frozen=True)
class ActivityPage:
    rows: list[ActivityRow]
    total: int
    page: int
    pages: int


def _objects(db: Session, dossier: Dossier) -> dict[str, dict[int, str]]:
    """Per audit object type, the ids belonging to the dossier and what to call them."""
    def titled(model, title_col) -> dict[int, str]:
        return dict(db.exec(select(model.id, title_col).where(model.dossier_id == dossier.id)).all())

    requests = titled(DocumentRequest, DocumentRequest.title)
    deliveries = {
        d_id: requests.get(r_id, "")
        for d_id, r_id in db.exec(select(Delivery.id, Delivery.request_id).where(Delivery.dossier_id == dossier.id)).all()
    }
    uploads = dict(db.exec(select(Upload.id, Upload.filename).where(Upload.dossier_id == dossier.id)).all())
    responses = {r_id: "" for r_id in db.exec(select(QuestionnaireResponse.id).where(QuestionnaireResponse.dossier_id == dossier.id)).all()}
    return {
        "dossier": {dossier.id: dossier.reference},
        "document": titled(Document, Document.title),
        "request": requests,
        "delivery": deliveries,
        "upload": uploads,
        "milestone": titled(Milestone, Milestone.title),
        "questionnaire_response": responses,
    }


def _where(objects: dict[str, dict[int, str]]):
    parts = [and_(AuditEvent.object_type == kind, AuditEvent.object_id.in_(list(ids))) for kind, ids in objects.items() if ids]
    return and_(or_(*parts), AuditEvent.action.not_in(LEFT_OUT))


def _rows(db: Session, objects: dict[str, dict[int, str]], stmt) -> list[ActivityRow]:
    out = []
    for event, name in db.exec(stmt).all():
        what = objects.get(event.object_type, {}).get(event.object_id, "")
        out.append(ActivityRow(at=event.at, who=name or "", action=event.action,
                               label_id=ACTION_LABELS.get(tuple(event.action.split(".", 1)), OTHER_ACTION), what=what))
    return out


def _base(objects):
    return (
        select(AuditEvent, User.full_name)
        .outerjoin(User, User.id == AuditEvent.actor_user_id)
        .where(_where(objects))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )


def list_activity(actor: Actor, dossier_id: int, page: int = 1) -> ActivityPage:
    """One page of the dossier's activity, newest first."""
    with session_scope() as db:
        dossier = access.get_dossier_for(db, actor, dossier_id, access.may_read_activity)
        objects = _objects(db, dossier)
        total = db.exec(select(func.count()).select_from(AuditEvent).where(_where(objects))).one()
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(1, int(page) if isinstance(page, int) else 1), pages)
        rows = _rows(db, objects, _base(objects).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE))
        return ActivityPage(rows=rows, total=total, page=page, pages=pages)


def csv_cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run as a formula: a leading = + - @ (or tab, carriage return) gets a quote.

    >>> csv_cell("=HYPERLINK(\\"x\\")"), csv_cell("-1"), csv_cell("Renteaanbod")
    ('\\'=HYPERLINK("x")', "'-1", 'Renteaanbod')
    """
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def activity_csv(actor: Actor, dossier_id: int, labels: dict[str, str], format_when) -> tuple[str, str]:
    """(file name, CSV text) of the dossier's whole activity, newest first; columns and actions in the caller's
    language (``labels``: catalog texts; ``format_when``: datetime -> text). The export itself is audited."""
    with session_scope() as db:
        dossier = access.get_dossier_for(db, actor, dossier_id, access.may_read_activity)
        objects = _objects(db, dossier)
        rows = _rows(db, objects, _base(objects).limit(CSV_MAX_ROWS))
        audit.record(db, "activity.exported", user_id=actor.user_id, object_type="dossier", object_id=dossier.id,
                     ip=actor.ip, rows=len(rows))
        reference = dossier.reference
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow([labels.get(k, k) for k in ("activity.when", "activity.who", "activity.what_done", "activity.object")])
    for r in rows:
        action = labels.get(r.label_id, r.action)
        writer.writerow([csv_cell(v) for v in (format_when(r.at), r.who, action, r.what)])
    return f"activiteit-{reference}.csv", "\ufeff" + buf.getvalue()
