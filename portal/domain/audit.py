"""The audit log: who did what to which object, when and from where. Never personal content."""

from __future__ import annotations

from sqlmodel import Session

from portal.db.models import AuditEvent


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
            detail={k: v for k, v in detail.items() if v is not None},
        )
    )
