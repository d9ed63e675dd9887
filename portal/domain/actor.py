"""Who is acting: built once per request/event from the server-side session."""

from __future__ import annotations

from dataclasses import dataclass, field

from portal.db.models import StaffRole, UserKind


@dataclass(frozen=True)
class Membership:
    office_id: int
    role: StaffRole


@dataclass(frozen=True)
class Actor:
    user_id: int
    email: str
    full_name: str
    kind: UserKind
    language: str = "nl"
    session_id: int | None = None
    client_ids: tuple[int, ...] = ()
    memberships: tuple[Membership, ...] = field(default_factory=tuple)
    ip: str = ""
    setup_only: bool = False  # a session that may only set up two-step verification
    # co-view (meekijken): staff ``coview_by`` sees the portal as this client (``user_id`` is the client's),
    # read-only (``access.require_can_write``); ``coview_name`` is the client's name for the banner
    coview_by: int | None = None
    coview_name: str = ""
    coview_dossier_id: int | None = None
    coview_office_ids: tuple[int, ...] = ()  # the co-viewing staff's offices: only their dossiers are shown

    @property
    def is_client(self) -> bool:
        return self.kind == UserKind.CLIENT

    @property
    def is_coview(self) -> bool:
        return self.coview_by is not None

    @property
    def is_staff(self) -> bool:
        return self.kind == UserKind.STAFF

    @property
    def office_ids(self) -> tuple[int, ...]:
        return tuple(sorted({m.office_id for m in self.memberships}))

    def has_role(self, office_id: int, *roles: StaffRole) -> bool:
        return any(m.office_id == office_id and m.role in roles for m in self.memberships)

    @property
    def home_path(self) -> str:
        return "/home" if self.is_client else "/kantoor"
