"""The audit log: who did what to which object, when and from where. Never personal content."""

from __future__ import annotations

from contextvars import ContextVar

from sqlmodel import Session

from portal.db.models import AuditEvent


# the staff user co-viewing in the current event (set by ``auth.resolve_session`` for every event): whatever is
# audited meanwhile is marked ``coview_by`` (a view during a co-view is the staff's, not the client's)
_COVIEW_BY: ContextVar[int | None] = ContextVar("portal_coview_by", default=None)


def set_coview(staff_user_id: int | None) -> None:
    """Mark (or stop marking) what is audited from here on in this event as seen during a co-view."""
    _COVIEW_BY.set(staff_user_id)


def coview_mark() -> int | None:
    """The mark ``set_coview`` set in this context (a worker thread hands it back to the event's own context)."""
    return _COVIEW_BY.get()


def record(
    db: Session,
    action: str,
    *,
    user_id: int | None,
    object_type: str = "",
    object_id: int | None = None,
    ip: str = "",
    **detail: object,
) -> None:
    """Add an audit row to the caller's unit of work (it commits with the change it describes)."""
    db.add(
        AuditEvent(
            action=action,
            actor_user_id=user_id,
            object_type=object_type,
            object_id=object_id,
            ip=ip[:45],
            detail={k: v for k, v in {"coview_by": _COVIEW_BY.get(), **detail}.items() if v is not None},
        )
    )
