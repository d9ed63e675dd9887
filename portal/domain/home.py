"""What a user sees first after login: counts and what needs attention."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import select

from portal.db.engine import session_scope
from portal.db.models import (
    Action,
    ActionStatus,
    DocumentRequest,
    Dossier,
    Office,
    QuestionnaireResponse,
    RequestStatus,
    User,
)
from portal.domain import access
from portal.domain.actor import Actor
from portal.domain.phases import phase_label_id, type_label_id


@dataclass(frozen=True)
class ActionItem:
    id: int
    kind: str
    title: str
    dossier_reference: str
    due_date: date | None
    target_id: int | None = None  # the questionnaire response behind a questionnaire action


@dataclass(frozen=True)
class RejectedItem:
    request_id: int
    dossier_id: int
    title: str
    reason: str
    dossier_reference: str


@dataclass(frozen=True)
class ClientHome:
    dossier_count: int
    open_action_count: int
    attention: tuple[ActionItem, ...]
    rejected: tuple[RejectedItem, ...] = ()


def client_home(actor: Actor, limit: int = 5) -> ClientHome:
    """Counts for the three tiles and the first open actions, for a client."""
    with session_scope() as db:
        visible = access.dossier_filter(actor)
        dossiers = db.exec(select(func.count()).select_from(Dossier).where(visible)).one()
        open_actions = (
            select(Action, Dossier.reference, QuestionnaireResponse.id)
            .join(Dossier, Dossier.id == Action.dossier_id)
            .outerjoin(QuestionnaireResponse, QuestionnaireResponse.action_id == Action.id)
            .where(visible, Action.status == ActionStatus.OPEN, access.action_filter(actor))
        )
        count = db.exec(select(func.count()).select_from(open_actions.subquery())).one()
        rows = db.exec(open_actions.order_by(Action.due_date.is_(None), Action.due_date, Action.id).limit(limit)).all()
        items = tuple(
            ActionItem(a.id, str(a.kind), a.title, ref, a.due_date, response_id)
            for a, ref, response_id in rows
        )
        rejected = db.exec(
            select(DocumentRequest, Dossier.reference)
            .join(Dossier, Dossier.id == DocumentRequest.dossier_id)
            .where(visible, DocumentRequest.status == RequestStatus.REJECTED, access.request_filter(actor))
            .order_by(DocumentRequest.updated_at.desc())
            .limit(limit)
        ).all()
        return ClientHome(
            dossier_count=dossiers,
            open_action_count=count,
            attention=items,
            rejected=tuple(RejectedItem(r.id, r.dossier_id, r.title, r.rejection_reason, ref) for r, ref in rejected),
        )


@dataclass(frozen=True)
class DossierRow:
    id: int
    reference: str
    title: str
    type_label_id: str
    phase_label_id: str
    lender: str
    office_name: str
    adviser_name: str
    open_actions: int


def list_dossiers(actor: Actor, *, limit: int = 50) -> list[DossierRow]:
    """The dossiers ``actor`` may see, most recently changed first (first page only)."""
    with session_scope() as db:
        open_count = (
            select(func.count())
            .select_from(Action)
            .outerjoin(QuestionnaireResponse, QuestionnaireResponse.action_id == Action.id)
            .where(Action.dossier_id == Dossier.id, Action.status == ActionStatus.OPEN, access.action_filter(actor))
            .correlate(Dossier)
        ).scalar_subquery()  # as on Home: another client's own questionnaire is not an action for this one
        stmt = (
            select(Dossier, Office.name, User.full_name, open_count)
            .join(Office, Office.id == Dossier.handling_office_id)
            .outerjoin(User, User.id == Dossier.adviser_user_id)
            .where(access.dossier_filter(actor))
            .order_by(Dossier.updated_at.desc(), Dossier.id.desc())
            .limit(limit)
        )
        return [
            DossierRow(
                id=d.id,
                reference=d.reference,
                title=d.title,
                type_label_id=type_label_id(d.type),
                phase_label_id=phase_label_id(d.type, d.phase),
                lender=d.lender,
                office_name=office,
                adviser_name=adviser or "",
                open_actions=n,
            )
            for d, office, adviser, n in db.exec(stmt).all()
        ]


def office_names(actor: Actor) -> list[str]:
    with session_scope() as db:
        if not actor.office_ids:
            return []
        return list(db.exec(select(Office.name).where(Office.id.in_(actor.office_ids)).order_by(Office.name)).all())
