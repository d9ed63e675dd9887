"""SQLModel tables: singular PascalCase names, StrEnum statuses (stored as plain strings).

Every change here needs an Alembic revision (``make migration m="..."``); a test fails when the
models and the migrations differ.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from enum import StrEnum

from sqlalchemy import JSON, Column, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Aware UTC now (sqlmodel's UTCDateTime stores UTC and returns aware values on every database)."""
    return datetime.now(timezone.utc)


class OfficeKind(StrEnum):
    HANDLING = "handling"  # handles dossiers: notary, mortgage advice, income statements
    INTERMEDIARY = "intermediary"  # tussenpersoon linked to dossiers of a handling office


class StaffRole(StrEnum):
    ADVISER = "adviser"
    REVIEWER = "reviewer"
    OFFICE_ADMIN = "office_admin"


class UserKind(StrEnum):
    CLIENT = "client"
    STAFF = "staff"


class ClientKind(StrEnum):
    PERSON = "person"
    COMPANY = "company"


class DossierType(StrEnum):
    MORTGAGE = "mortgage"
    NOTARIAL_DEED = "notarial_deed"
    INCOME_STATEMENT = "income_statement"


class ActionKind(StrEnum):
    UPLOAD_REQUEST = "upload_request"
    QUESTIONNAIRE = "questionnaire"
    SIGN = "sign"


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class RequestCategory(StrEnum):
    """The five groups of the stukkenlijst, in display order."""

    PERSONAL = "persoonlijk"
    CURRENT_HOME = "huidige_woning"
    NEW_HOME = "nieuwe_woning"
    FINANCING = "financiering"
    OTHER = "overig"


class RequestStatus(StrEnum):
    """A requested item's state, one to one with the HDN document statuses."""

    TO_DELIVER = "aan_te_leveren"
    DELIVERED = "aangeleverd"
    PROVISIONALLY_APPROVED = "voorlopig_akkoord"
    APPROVED = "akkoord"
    REJECTED = "afgekeurd"
    NOT_AVAILABLE = "niet_aanwezig"
    WITHDRAWN = "vervallen"


class DeliveredBy(StrEnum):
    CLIENT = "client"
    LENDER = "maatschappij"  # delivered by the lender/insurer: never shown to the client
    ADVISER = "adviseur"  # delivered by the office's adviser: like the lender's, never shown to the client


class DocumentKind(StrEnum):
    DOCUMENT = "document"  # published by the office: draft deed, offer, invoice, report
    CORRESPONDENCE = "correspondence"  # letters and e-mails
    DELIVERED = "delivered"  # delivered by (or for) the client: "Door mij aangeleverd"


class UploadStatus(StrEnum):
    STAGED = "staged"  # uploaded, not yet sent: only the client sees it ("Geüpload")
    PROCESSING = "processing"  # a photo received and held, being re-encoded in the background
    FAILED = "failed"  # the background re-encoding refused the photo; the client removes it
    CONFIRMED = "confirmed"  # sent with Bevestigen: part of a delivery


class DeliveryStatus(StrEnum):
    NEW = "nieuw"  # waiting for review (the office's task list)
    APPROVED = "akkoord"
    REJECTED = "afgekeurd"
    SUPERSEDED = "vervangen"  # the item was asked again before this delivery was reviewed


class ResponseStatus(StrEnum):
    OPEN = "open"  # being filled in (answers saved per page)
    COMPLETED = "completed"  # done: read-only for the client, PDF stored


class Office(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    kind: OfficeKind = Field(sa_type=String(20))
    email: str = Field(max_length=254)
    phone: str = Field(default="", max_length=40)
    brand_color: str = Field(default="#1f4e79", max_length=9)
    # set by the office's admins: these users cannot reach any data before two-step verification is on
    require_twofa_clients: bool = Field(default=False)
    require_twofa_staff: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)
    # days a client unlinked from their last dossier keeps their (deactivated) login before it is erased
    retention_days: int = Field(default=30)
    # reminder schedule (portal/domain/reminders.py), set by the office's admins: first reminder this many days
    # after the request, then every ``reminder_every_days``, at most ``reminder_max`` times; and one reminder
    # ``reminder_before_due_days`` before the due date (0: none)
    reminder_first_days: int = Field(default=2)
    reminder_every_days: int = Field(default=3)
    reminder_max: int = Field(default=3)
    reminder_before_due_days: int = Field(default=1)


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)  # stored lower-case
    password_hash: str = Field(default="", max_length=255)
    full_name: str = Field(max_length=200)
    phone: str = Field(default="", max_length=40)
    kind: UserKind = Field(sa_type=String(10))
    language: str = Field(default="nl", max_length=5)
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow)
    password_changed_at: datetime | None = None
    last_login_at: datetime | None = None
    # two-step verification: "" (off), "sms" or "totp"; the verified number; the TOTP secret
    # (encrypted with a key derived from SECRET_KEY); the last TOTP time step used (no replay);
    # the recovery code's HMAC (single-use)
    twofa_method: str = Field(default="", max_length=10)
    twofa_phone: str = Field(default="", max_length=20)
    totp_secret: str = Field(default="", max_length=255)
    totp_last_step: int = Field(default=0)
    recovery_code_hash: str = Field(default="", max_length=64)
    # e-mail notification choices (senders call portal.domain.notifications.wants)
    notify_documents: bool = Field(default=True)
    notify_questionnaires: bool = Field(default=True)
    notify_requests: bool = Field(default=True)
    notify_rejections: bool = Field(default=True)
    # a client unlinked from their last dossier: deactivated then, personal data erased after the retention
    deactivated_at: datetime | None = None
    erased_at: datetime | None = None
    # newer kinds (portal/domain/notify.py): new messages, progress (in behandeling / rapport gereed), and for
    # staff: a client delivered; "Hoe vaak": "direct" (one mail each) or "daily" (one digest a day)
    notify_messages: bool = Field(default=True)
    notify_progress: bool = Field(default=True)
    notify_deliveries: bool = Field(default=True)
    notify_frequency: str = Field(default="direct", max_length=10)


class StaffMembership(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("user_id", "office_id", "role"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    role: StaffRole = Field(sa_type=String(20))


class Client(SQLModel, table=True):
    """A person or a company; users reach it through ClientMember."""

    id: int | None = Field(default=None, primary_key=True)
    kind: ClientKind = Field(sa_type=String(10))
    name: str = Field(max_length=200)
    kvk_number: str = Field(default="", max_length=8)
    # the office that keeps this client (clients of an office are unique per e-mail / KvK there);
    # None for clients made before offices kept clients and not derivable from their dossiers
    office_id: int | None = Field(default=None, foreign_key="office.id", index=True)
    # how the office reaches the client (a person; a company's main contact): the login (User) comes with the
    # invitation. ``email`` is stored lower-case.
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=40)
    language: str = Field(default="nl", max_length=5)
    contact_name: str = Field(default="", max_length=200)  # a company's main contact
    created_at: datetime = Field(default_factory=utcnow)


class ClientMember(SQLModel, table=True):
    """A login of a client: the person, the company's main account, or a company extra account.

    An extra account invited with an address that already has an account waits for its owner's consent
    (the "join" link): until then ``awaiting_consent`` is set and the row grants nothing. Whoever reads
    memberships for access reads the others only (``auth._actor_for`` builds ``client_ids`` so).
    """

    __table_args__ = (UniqueConstraint("client_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    is_primary: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow)  # made (for an extra account: the first invitation)
    awaiting_consent: bool = Field(default=False)  # invited with an existing account, not yet accepted by its owner
    # extra accounts: the latest invitation mail, and the name and address the inviter typed (shown while invited)
    invited_at: datetime | None = None
    invited_name: str = Field(default="", max_length=200)
    invited_email: str = Field(default="", max_length=254)


class Dossier(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("handling_office_id", "reference"),
        Index("ix_dossier_handling_updated", "handling_office_id", "updated_at"),
        Index("ix_dossier_intermediary_updated", "intermediary_office_id", "updated_at"),
        Index("ix_dossier_handling_lender", "handling_office_id", "lender"),
        Index("ix_dossier_adviser_updated", "adviser_user_id", "updated_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=40)
    type: DossierType = Field(sa_type=String(30))
    title: str = Field(default="", max_length=200)
    handling_office_id: int = Field(foreign_key="office.id")
    intermediary_office_id: int | None = Field(default=None, foreign_key="office.id")
    adviser_user_id: int | None = Field(default=None, foreign_key="user.id")
    lender: str = Field(default="", max_length=120)
    phase: str = Field(max_length=40)
    visible_to_client: bool = Field(default=True)
    # lower-cased names of the dossier's clients, kept by the domain for the office search
    client_names: str = Field(default="", max_length=400)
    # phase screens' data, per phase: {"aanvraag": {...}, "r_aanbod": {...}, ...}
    details: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}"))
    closed_at: datetime | None = None  # closed (Afgesloten); None while running (Lopend)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class DossierParticipant(SQLModel, table=True):
    """A client taking part in a dossier (applicant, co-applicant, buyer, seller...)."""

    __table_args__ = (UniqueConstraint("dossier_id", "client_id"),)
    id: int | None = Field(default=None, primary_key=True)
    dossier_id: int = Field(foreign_key="dossier.id", index=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    role: str = Field(default="applicant", max_length=30)


class Action(SQLModel, table=True):
    """Something the office asks a client to do: an upload request, a questionnaire, a signature."""

    __table_args__ = (Index("ix_action_dossier_status", "dossier_id", "status"),)
    id: int | None = Field(default=None, primary_key=True)
    dossier_id: int = Field(foreign_key="dossier.id")
    kind: ActionKind = Field(sa_type=String(20))
    title: str = Field(max_length=200)
    message: str = Field(default="", max_length=4000)
    status: ActionStatus = Field(default=ActionStatus.OPEN, sa_type=String(20))
    due_date: date | None = None
    created_at: datetime = Field(default_factory=utcnow)


class UserSession(SQLModel, table=True):
    """A server-side login session; the browser holds only the random token, we keep its HMAC."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    ip: str = Field(default="", max_length=45)
    user_agent: str = Field(default="", max_length=300)
    # "" = a full session; "twofa_setup" = the office requires two-step verification and the user
    # has none yet: such a session reaches the set-up page only
    scope: str = Field(default="", max_length=20)
    # set when the office ended the session (e.g. "unlinked"): the next event sends the tab to /login with the why
    ended_reason: str = Field(default="", max_length=20)


class PasswordResetToken(SQLModel, table=True):
    """A single-use link token: a password reset (1 hour), an extra account's activation (7 days), or
    the consent of an existing account to join a company (purpose "join", 7 days, with ``client_id``)."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    purpose: str = Field(default="reset", max_length=20)
    client_id: int | None = Field(default=None, foreign_key="client.id")  # "join": the company
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
    opened_at: datetime | None = None  # "join": the link was followed (a login soon after comes back to it)


class TwoFactorChallenge(SQLModel, table=True):
    """One two-step attempt: a login's second step, a set-up of SMS or an authenticator, or a re-check
    before a change. The browser holds a random token (a cookie or server-side state), we keep its HMAC.
    An SMS code belongs to its challenge only; ``tries`` counts wrong and right entries alike."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    purpose: str = Field(max_length=20)  # login | reauth | setup_sms | setup_totp
    method: str = Field(default="", max_length=10)  # sms | totp (how this challenge is answered)
    phone: str = Field(default="", max_length=20)  # where the SMS code went
    secret: str = Field(default="", max_length=255)  # a TOTP secret being set up (encrypted)
    code_hash: str = Field(default="", max_length=64)
    code_expires_at: datetime | None = None
    last_sent_at: datetime | None = None
    tries: int = Field(default=0)
    verified_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime


class EmailChange(SQLModel, table=True):
    """A requested new e-mail address, waiting for the link sent to it (single-use, 24 hours)."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    new_email: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None


class SmsSend(SQLModel, table=True):
    """One SMS code sent: the daily caps per user and per number count these rows."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    phone_key: str = Field(max_length=64, index=True)  # HMAC of the number
    sent_at: datetime = Field(default_factory=utcnow, index=True)


class RateLimit(SQLModel, table=True):
    """Failure counters shared by all workers (per account, per IP)."""

    key: str = Field(primary_key=True, max_length=128)
    failures: int = Field(default=0)
    window_start: datetime = Field(default_factory=utcnow)
    blocked_until: datetime | None = None


class AuditEvent(SQLModel, table=True):
    __table_args__ = (Index("ix_auditevent_object", "object_type", "object_id"),)
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    action: str = Field(max_length=60)
    object_type: str = Field(default="", max_length=40)
    object_id: int | None = None
    ip: str = Field(default="", max_length=45)
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class DocumentRequest(SQLModel, table=True):
    """One item of the stukkenlijst: a document the office asks for."""

    __table_args__ = (Index("ix_documentrequest_dossier_status", "dossier_id", "status"),)
    id: int | None = Field(default=None, primary_key=True)
    dossier_id: int = Field(foreign_key="dossier.id")
    action_id: int | None = Field(default=None, foreign_key="action.id", index=True)
    category: RequestCategory = Field(sa_type=String(20))
    title: str = Field(max_length=200)
    instruction: str = Field(default="", max_length=2000)
    status: RequestStatus = Field(default=RequestStatus.TO_DELIVER, sa_type=String(20))
    delivered_by: DeliveredBy = Field(default=DeliveredBy.CLIENT, sa_type=String(15))
    allow_not_available: bool = Field(default=False)
    rejection_reason: str = Field(default="", max_length=1000)
    deadline: date | None = None
    sort_order: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class DocumentType(SQLModel, table=True):
    """One entry of an office's catalogue of document types (managed by its office admins): what staff pick from
    when they fill a stukkenlijst, and, per dossier type in ``standard_for``, the office's standard set."""

    __table_args__ = (Index("ix_documenttype_office_active", "office_id", "active"),)
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id")
    name_nl: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    category: RequestCategory = Field(sa_type=String(20))
    instruction_nl: str = Field(default="", max_length=2000)
    instruction_en: str = Field(default="", max_length=2000)
    delivered_by: DeliveredBy = Field(default=DeliveredBy.CLIENT, sa_type=String(15))
    allows_not_available: bool = Field(default=False)
    # the dossier types (DossierType values) whose standard set holds this type
    standard_for: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]"))
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow)


class Document(SQLModel, table=True):
    """A file or letter in a dossier. Clients see office documents only when ``is_public``."""

    __table_args__ = (Index("ix_document_dossier_kind", "dossier_id", "kind"),)
    id: int | None = Field(default=None, primary_key=True)
    dossier_id: int = Field(foreign_key="dossier.id")
    kind: DocumentKind = Field(sa_type=String(20))
    title: str = Field(max_length=200)
    body: str = Field(default="", max_length=20000)  # text of an e-mail in Correspondentie
    filename: str = Field(default="", max_length=255)  # the name shown and offered on download
    storage_key: str = Field(default="", max_length=80)  # server-made; "" when there is no file
    content_type: str = Field(default="", max_length=100)
    size: int = Field(default=0)
    sha256: str = Field(default="", max_length=64)
    is_public: bool = Field(default=False)
    request_id: int | None = Field(default=None, foreign_key="documentrequest.id", index=True)
    delivery_id: int | None = Field(default=None, foreign_key="delivery.id", index=True)
    # set when only one client of the dossier may see it (their own questionnaire's PDF)
    client_id: int | None = Field(default=None, foreign_key="client.id")
    created_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)


class Milestone(SQLModel, table=True):
    """Progress the office publishes on a dossier (Voortgang)."""

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: int = Field(foreign_key="dossier.id", index=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    occurred_at: datetime = Field(default_factory=utcnow)
    is_public: bool = Field(default=True)


class Upload(SQLModel, table=True):
    """A file a client (or staff on their behalf) added to a requested item, staged until Bevestigen."""

    __table_args__ = (Index("ix_upload_request_status", "request_id", "status"),)
    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="documentrequest.id")
    dossier_id: int = Field(foreign_key="dossier.id", index=True)
    user_id: int = Field(foreign_key="user.id")
    filename: str = Field(max_length=255)  # the client's name for it, for display only
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    storage_key: str = Field(max_length=80)
    thumb_key: str = Field(default="", max_length=80)
    position: int = Field(default=0)
    status: UploadStatus = Field(default=UploadStatus.STAGED, sa_type=String(12))
    delivery_id: int | None = Field(default=None, foreign_key="delivery.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)


class Delivery(SQLModel, table=True):
    """What was sent for one item with Bevestigen (or "Niet aanwezig"): one entry in the office's task list."""

    __table_args__ = (Index("ix_delivery_office_status", "office_id", "status", "created_at"),)
    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="documentrequest.id", index=True)
    dossier_id: int = Field(foreign_key="dossier.id", index=True)
    office_id: int = Field(foreign_key="office.id")  # the handling office: whose task list it is on
    delivered_by_user_id: int = Field(foreign_key="user.id")
    on_behalf: bool = Field(default=False)  # staff delivered for the client
    not_available: bool = Field(default=False)  # the client chose "Niet aanwezig"
    status: DeliveryStatus = Field(default=DeliveryStatus.NEW, sa_type=String(12))
    reason: str = Field(default="", max_length=1000)
    reviewed_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    reviewed_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class QuestionnaireDefinition(SQLModel, table=True):
    """One version of an office's questionnaire, from a validated YAML/JSON file. Never changed once used."""

    __table_args__ = (UniqueConstraint("office_id", "key", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    key: str = Field(max_length=60)
    version: int = Field(default=1)
    title_nl: str = Field(max_length=200)
    title_en: str = Field(max_length=200)
    source: str = Field(default="", sa_column=Column(Text, nullable=False))  # the file as uploaded
    spec: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))  # parsed and checked
    created_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)


class QuestionnaireResponse(SQLModel, table=True):
    """A questionnaire sent to a dossier (optionally for one client): answers saved page by page."""

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: int = Field(foreign_key="dossier.id", index=True)
    action_id: int = Field(foreign_key="action.id", index=True)
    definition_id: int = Field(foreign_key="questionnairedefinition.id")
    client_id: int | None = Field(default=None, foreign_key="client.id")
    answers: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    current_page: int = Field(default=0)
    status: ResponseStatus = Field(default=ResponseStatus.OPEN, sa_type=String(12))
    completed_at: datetime | None = None
    completed_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    document_id: int | None = Field(default=None, foreign_key="document.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class CoView(SQLModel, table=True):
    """Staff co-viewing (meekijken) a client's portal, read-only, during one of their sessions."""

    id: int | None = Field(default=None, primary_key=True)
    staff_user_id: int = Field(foreign_key="user.id", index=True)
    client_user_id: int = Field(foreign_key="user.id", index=True)
    dossier_id: int = Field(foreign_key="dossier.id")
    session_id: int = Field(index=True)  # the staff's UserSession (no foreign key: sessions are deleted)
    started_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None
    end_reason: str = Field(default="", max_length=20)  # stopped | timeout | logout | unlinked | restarted
class OutboxStatus(StrEnum):
    QUEUED = "queued"  # waiting (or waiting again, after a failed try) until next_attempt_at
    SENDING = "sending"  # claimed by a sender until lease_until
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt (audited mail.failed)
    DIGEST = "digest"  # held for the recipient's daily digest (portal/domain/notify.py); never sent alone


class OutboxMessage(SQLModel, table=True):
    """One e-mail to send, written in the transaction of the change that causes it (portal/domain/outbox.py).

    Bodies are encrypted at rest (they may carry a reset or activation link)."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_due", "status", "next_attempt_at"),)
    id: int | None = Field(default=None, primary_key=True)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    body_text: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    body_html: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    kind: str = Field(default="", max_length=40)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)  # the recipient, when a user
    status: OutboxStatus = Field(default=OutboxStatus.QUEUED, sa_type=String(10))
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow)
    lease_until: datetime | None = None
    lease_owner: str = Field(default="", max_length=80)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


class ReminderSent(SQLModel, table=True):
    """A reminder about one requested item went out: each (item, slot) at most once, whoever received it."""

    __tablename__ = "reminder_sent"
    __table_args__ = (UniqueConstraint("request_id", "slot"),)
    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="documentrequest.id", index=True)
    slot: str = Field(max_length=20)  # "missing-1", "missing-2", ... or "due"
    sent_at: datetime = Field(default_factory=utcnow)
# --- issue 14: Berichten (messages) ---------------------------------------------------------------


class MessageAudience(StrEnum):
    CLIENT = "client"  # written by the office to the dossier's client(s)
    OFFICE = "office"  # written by a client to the office team


class MessageKind(StrEnum):
    MESSAGE = "message"
    LETTER = "letter"  # a letter or e-mail the office registered as a message (Uwkluis "registratie")


class Message(SQLModel, table=True):
    """One message in a dossier's thread. ``client_id``: the one client it is for (office → client) or from
    (client → office); None when it is for every client of the dossier ("reply all")."""

    __table_args__ = (Index("ix_message_dossier_created", "dossier_id", "created_at"),)
    id: int | None = Field(default=None, primary_key=True)
    dossier_id: int = Field(foreign_key="dossier.id")
    author_user_id: int = Field(foreign_key="user.id")
    audience: MessageAudience = Field(sa_type=String(10))
    client_id: int | None = Field(default=None, foreign_key="client.id")
    subject: str = Field(max_length=200)
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    kind: MessageKind = Field(default=MessageKind.MESSAGE, sa_type=String(10))
    forwarded_from_id: int | None = Field(default=None, foreign_key="message.id")
    created_at: datetime = Field(default_factory=utcnow)


class MessageReceipt(SQLModel, table=True):
    """What one user did with a message: read it (the office sees when its client did), archived it."""

    __table_args__ = (UniqueConstraint("message_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="message.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    read_at: datetime | None = None
    archived_at: datetime | None = None


class MessageAttachment(SQLModel, table=True):
    """A checked file with a message; staged (``message_id`` None) by its uploader until the message is sent."""

    id: int | None = Field(default=None, primary_key=True)
    message_id: int | None = Field(default=None, foreign_key="message.id", index=True)
    dossier_id: int = Field(foreign_key="dossier.id", index=True)
    user_id: int = Field(foreign_key="user.id")
    storage_key: str = Field(max_length=80)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
