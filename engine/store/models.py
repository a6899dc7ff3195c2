"""Tables. A case's workflow is stored as one row per SpiffWorkflow task (``workflow_task``) plus its workflow-level
state on the case row; tasks and timers are projections of it, written in the transaction that saves it, so
listing work and sweeping timers are indexed queries."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

#: The unit every installation has: the organisation as a whole. Before units are added, everything is in it.
ROOT_UNIT = "root"


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware instants on every backend: stored as UTC, returned aware (SQLite drops offsets)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class Preplan(Base):
    __tablename__ = "preplan"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime]
    versions: Mapped[list[PreplanVersion]] = relationship(back_populates="preplan", order_by="PreplanVersion.number")


class PreplanVersion(Base):
    """Immutable: the files as deployed, their hash, and the spec parsed once at deploy time."""

    __tablename__ = "preplan_version"
    __table_args__ = (UniqueConstraint("preplan_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    preplan_id: Mapped[int] = mapped_column(ForeignKey("preplan.id"))
    number: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    # The heavy columns load only when read: a version's spec is needed once per process (then cached).
    files: Mapped[dict[str, Any]] = mapped_column(deferred=True)  # relative path -> text
    manifest: Mapped[dict[str, Any]]  # preplan.toml, lane roles, form index: what runtime needs besides the spec
    spec: Mapped[dict[str, Any]] = mapped_column(deferred=True)  # serialized SpiffWorkflow spec + subprocesses
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | retired
    deployed_by: Mapped[str] = mapped_column(String(80))
    deployed_at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(Text)
    preplan: Mapped[Preplan] = relationship(back_populates="versions")


class Case(Base):
    __tablename__ = "preplan_case"
    __table_args__ = (
        # The cases list reads newest first (by id): everything in key order, or the cases of one unit.
        Index("ix_preplan_case_unit", "unit_key", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("preplan_version.id"), index=True)
    business_key: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(16), index=True)  # running|completed|terminated|error|suspended
    severity: Mapped[str | None] = mapped_column(String(40))
    is_drill: Mapped[bool] = mapped_column(Boolean, default=False)
    clock_offset_seconds: Mapped[float] = mapped_column(default=0.0)
    # SpiffWorkflow's workflow-level state (data, events, subprocesses) without its tasks, which are rows of
    # workflow_task; ops only. A state that still holds its tasks (``"tasks"``) is read as a whole.
    state: Mapped[dict[str, Any]] = mapped_column(deferred=True)
    data: Mapped[dict[str, Any]]  # the case's current data, copied out for pages and lists
    revision: Mapped[int] = mapped_column(Integer, nullable=False)
    started_by: Mapped[str] = mapped_column(String(80))
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(Text)
    # The one-time token of the start form that created the case: the same form sent twice starts one case.
    intake_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: The organisation unit the case concerns (the station, project or outlet): it decides who sees the case and
    #: where its lanes' tasks go.
    unit_key: Mapped[str] = mapped_column(ForeignKey("org_unit.key"), server_default=ROOT_UNIT)
    #: The periodic duty (``[duties.<kind>]`` of its preplan) this case compiles a report for; None for a complaint.
    #: Duty cases never count in the complaints' figures, ledgers, counts or exports.
    duty: Mapped[str | None] = mapped_column(String(40))
    version: Mapped[PreplanVersion] = relationship()

    __mapper_args__ = {"version_id_col": revision}

    @hybrid_property
    def is_trial(self) -> bool:
        """A trial of a preplan's draft in the studio, never counted, listed, searched or announced and thrown away
        whole: its id is negative (``engine.store.records.trial_id``), so telling it apart costs no column and, in
        SQL, is a range of the primary key."""
        return self.id is not None and self.id < 0

    @is_trial.inplace.expression
    @classmethod
    def _is_trial_expression(cls) -> ColumnElement[bool]:
        return cls.id < 0


class Task(Base):
    """A human task: open while READY in the workflow, then kept as history (completed or cancelled)."""

    __tablename__ = "task"
    __table_args__ = (
        # Role and assignee lead. The cases of one's steps (visibility, the cases list newest first): as a candidate
        # per role and unit, or per role filtered by units; as the assignee. One's open work by deadline: assigned,
        # and the pool (unclaimed tasks) per role and unit, or per role filtered by units; partial on ``assignee IS
        # NULL`` because PostgreSQL keeps index order only after equalities, and that predicate holds no parameter,
        # so both planners match it.
        Index("ix_task_candidates", "role", "unit_key", "case_id"),
        Index("ix_task_candidates_by_role", "role", "case_id", "unit_key"),
        Index("ix_task_assignee_case", "assignee", "case_id"),
        Index("ix_task_assignee", "assignee", "status", "real_due_at", "id"),
        Index(
            "ix_task_pool",
            "role",
            "unit_key",
            "status",
            "real_due_at",
            "id",
            sqlite_where=text("assignee IS NULL"),
            postgresql_where=text("assignee IS NULL"),
        ),
        Index(
            "ix_task_pool_by_role",
            "role",
            "status",
            "real_due_at",
            "id",
            "unit_key",
            sqlite_where=text("assignee IS NULL"),
            postgresql_where=text("assignee IS NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("preplan_case.id"), index=True)
    spiff_id: Mapped[str] = mapped_column(String(36), unique=True)
    bpmn_id: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(80))
    #: Where the task went (its lane's routing): its candidates are the holders of ``role`` in this unit.
    unit_key: Mapped[str] = mapped_column(ForeignKey("org_unit.key"), server_default=ROOT_UNIT)
    form: Mapped[str | None] = mapped_column(String(200))
    assignee: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(16))  # open | completed | cancelled
    created_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]  # in the case's time
    # Counted on a provisional calendar (a year whose official holiday schedule is not known yet).
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    real_due_at: Mapped[datetime | None] = mapped_column(index=True)  # in real time (differs for drills)
    remind_at: Mapped[datetime | None] = mapped_column(index=True)  # real time of the reminder, until sent
    overdue_noticed: Mapped[bool] = mapped_column(Boolean, default=False)
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(String(80))
    data: Mapped[dict[str, Any] | None]
    # What this instance of a step is for (a multi-instance step's item, e.g. its department): case data holds
    # only one instance's item, so instructions and lists read it from here.
    context: Mapped[dict[str, Any] | None]


class Timer(Base):
    """A waiting timer of a running case. The worker's sweep is ``fire_at <= now`` on this table, never a
    workflow load. ``due_at`` is in the case's time; ``fire_at`` in real time (they differ for drills)."""

    __tablename__ = "timer"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("preplan_case.id"), index=True)
    spiff_id: Mapped[str] = mapped_column(String(36), unique=True)
    bpmn_id: Mapped[str] = mapped_column(String(120))
    due_at: Mapped[datetime]
    fire_at: Mapped[datetime] = mapped_column(index=True)
    # Counted in working time on a provisional calendar: recomputed when the official schedule is entered.
    provisional: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class WorkflowTask(Base):
    """One SpiffWorkflow task of a case, as its serializer writes it (data as a delta to its parent's). A step
    rewrites only the tasks it changed, so the cost of saving does not grow with the case's history."""

    __tablename__ = "workflow_task"
    case_id: Mapped[int] = mapped_column(ForeignKey("preplan_case.id"), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    #: The subprocess the task belongs to (the id of the task that runs it); empty for the case's own process.
    process: Mapped[str] = mapped_column(String(36), default="")
    body: Mapped[str] = mapped_column(Text)  # compact JSON


class Comment(Base):
    __tablename__ = "comment"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("preplan_case.id"), index=True)
    at: Mapped[datetime]
    author: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)


class CaseSearch(Base):
    """What full-text search reads of a case (``engine.cases.search``), lower-cased, written in the transaction
    that changes the case: its key, title and the values of its fields anyone who sees it may read (``fields``),
    and its comments (``comments``). SQLite indexes it with FTS5 (trigram), PostgreSQL with pg_trgm GIN indexes;
    both made by migration 0015."""

    __tablename__ = "case_search"
    case_id: Mapped[int] = mapped_column(ForeignKey("preplan_case.id", ondelete="CASCADE"), primary_key=True)
    fields: Mapped[str] = mapped_column(Text, default="")
    comments: Mapped[str] = mapped_column(Text, default="")


class Attachment(Base):
    """A file on a case, or on one of its steps: what it is; its bytes are in the file store under ``sha256``.
    Kept as long as the case (nothing removes one). ``case_id`` is empty only inside the transaction that starts
    the case a start form's files came with."""

    __tablename__ = "attachment"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("preplan_case.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id"))
    name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by: Mapped[str] = mapped_column(String(80))
    uploaded_at: Mapped[datetime]


class Event(Base):
    """Append-only audit trail."""

    __tablename__ = "event"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("preplan_case.id"), index=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict[str, Any]]


class User(Base):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Raised whenever the user's sessions must end (log out, deactivation, new password or roles): a web session
    # carries the generation it was opened in and is refused once it is older.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime]
    roles: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def role_keys(self) -> set[str]:
        """The roles held in any unit."""
        return {r.role_key for r in self.roles}

    @property
    def memberships(self) -> set[tuple[str, str]]:
        """``(role, unit)`` pairs: the roles held, each in its unit."""
        return {(r.role_key, r.unit_key) for r in self.roles}


class Role(Base):
    __tablename__ = "role"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))


class UserRole(Base):
    """A role held in a unit: the same person may be CSC staff at one branch and nothing elsewhere."""

    __tablename__ = "user_role"
    __table_args__ = (Index("ix_user_role_holders", "role_key", "unit_key"),)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    role_key: Mapped[str] = mapped_column(ForeignKey("role.key"), primary_key=True)
    unit_key: Mapped[str] = mapped_column(ForeignKey("org_unit.key"), primary_key=True, server_default=ROOT_UNIT)


class Unit(Base):
    """An organisation unit (company, branch, station, project, outlet, department…); units form a tree under
    the root, which every installation has."""

    __tablename__ = "org_unit"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_key: Mapped[str | None] = mapped_column(ForeignKey("org_unit.key"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime]


class VersionRole(Base):
    """The roles of a deployed version, so "holders of the case's preplan roles" is a join, not a JSON read."""

    __tablename__ = "version_role"
    version_id: Mapped[int] = mapped_column(ForeignKey("preplan_version.id"), primary_key=True)
    role_key: Mapped[str] = mapped_column(String(80), primary_key=True, index=True)


class PreplanOwner(Base):
    """A process owner: edits the studio's draft of one preplan, or of every preplan (``preplan_key`` NULL)."""

    __tablename__ = "preplan_owner"
    __table_args__ = (UniqueConstraint("user_id", "preplan_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    preplan_key: Mapped[str | None] = mapped_column(String(80))


class PreplanDraft(Base):
    """The studio's working copy of a preplan, shared by its owners: the files as a version stores them. Saved by
    compare-and-set on ``revision``; it changes no version and no case until an admin publishes it."""

    __tablename__ = "preplan_draft"
    preplan_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    files: Mapped[dict[str, Any]]
    revision: Mapped[int]
    based_on_version: Mapped[int | None]
    updated_by: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime]


class Setting(Base):
    """Settings admins change at run time (e.g. working hours); they win over the environment."""

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[datetime]


class Notification(Base):
    """Outbox: written in the transaction that caused it, delivered later by a sender, retried with backoff."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_pending", "sent_at", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user: Mapped[str] = mapped_column(String(80), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # inbox | email
    address: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # assigned | reminder | overdue | escalated
    case_id: Mapped[int | None] = mapped_column(ForeignKey("preplan_case.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id"))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # What the subject was made from (case key, step, due, reason), so each reader sees it in their language.
    params: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class WebhookSubscription(Base):
    """A URL told of case and task events. The secret signs each body, so it is kept as given (never shown)."""

    __tablename__ = "webhook_subscription"
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[Any]]
    secret: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime]


class WebhookDelivery(Base):
    """Outbox of webhooks: one event for one subscription, written in the transaction of the change. ``body`` is
    the exact text that is sent and signed, so every retry sends the same bytes. Pending while
    ``next_attempt_at`` is set; then delivered, failed (attempts exhausted) or cancelled (subscription ended)."""

    __tablename__ = "webhook_delivery"
    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("webhook_subscription.id"), index=True)
    event: Mapped[str] = mapped_column(String(40))
    delivery_id: Mapped[str] = mapped_column(String(36), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("preplan_case.id"))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|delivered|failed|cancelled
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(index=True)
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]


class CalendarYear(Base):
    """A year whose official holiday schedule an admin has entered (imported from the State Council's notice or
    confirmed): its deadlines are no longer provisional."""

    __tablename__ = "calendar_year"
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(200))
    entered_by: Mapped[str] = mapped_column(String(80))
    entered_at: Mapped[datetime]


class CalendarOverride(Base):
    __tablename__ = "calendar_override"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime]


class ApiToken(Base):
    """A machine's credential for the API: it acts as its user, read-only or not. Only the sha256 of the secret is
    kept (the secret is shown once, when made); the prefix lets a person recognise it in a list."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    prefix: Mapped[str] = mapped_column(String(16))
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    read_only: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    user: Mapped[User] = relationship()


class ApiIntake(Base):
    """A case started with an ``Idempotency-Key``: the same key from the same user answers with this case when the
    request is the same (its sha256), and is refused when it is another."""

    __tablename__ = "api_intake"
    __table_args__ = (UniqueConstraint("user_name", "intake_key", name="uq_api_intake_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_name: Mapped[str] = mapped_column(String(80))
    intake_key: Mapped[str] = mapped_column(String(200))
    request_sha256: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[int] = mapped_column(ForeignKey("preplan_case.id"), index=True)
    created_at: Mapped[datetime]


class DutyReport(Base):
    """A periodic duty's report for one period in one unit: compiled from the cases when its duty case starts
    (``open``), ``overdue`` once its due time passed unsubmitted, ``submitted`` with the owner's comments. A report
    opened again for the same period is a new row with the next ``version``; the unique key is what makes a period
    start once however many workers sweep, and the newest period started per duty is the sweep's marker."""

    __tablename__ = "duty_report"
    __table_args__ = (UniqueConstraint("preplan_key", "kind", "unit_key", "period", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    preplan_key: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(40))
    #: ``2026-10-08`` (a day), ``2026-10-H1`` (the first half of a month), ``2026-10`` (a month), ``2026-Q4``
    period: Mapped[str] = mapped_column(String(16))
    #: the period's first and last day (a day's report also covers the days off before it)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    unit_key: Mapped[str] = mapped_column(ForeignKey("org_unit.key"))
    version: Mapped[int] = mapped_column(Integer)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("preplan_case.id"), unique=True)
    status: Mapped[str] = mapped_column(String(16), index=True)  # open|overdue|submitted
    opens_at: Mapped[datetime]
    due_at: Mapped[datetime]
    figures: Mapped[dict[str, Any]]
    comments: Mapped[str | None] = mapped_column(Text)
    submitted_by: Mapped[str | None] = mapped_column(String(80))
    submitted_at: Mapped[datetime | None]
