"""Who is told what, and when: the notifications deadlines and assignments produce.

Kinds: ``assigned`` (a task opened for your role, or was handed to you), ``reminder`` (a configurable share of
its time is used, 75 % by default), ``overdue`` (its deadline passed), ``escalated`` (a deadline modelled in the
diagram fired; the people of the escalation's target role are told), ``deadline_moved`` (a provisional deadline
was counted again on the official calendar), ``calendar`` (admins: the official holiday schedule runs out) and
``report`` (a periodic duty's report was submitted: its recipients).
A notice goes to the assignee, or to every candidate (holder of the task's role in the unit it went to) while
the task is unclaimed. Each one is an inbox row (delivered at once) and, for users with an e-mail address when
SMTP is configured, an e-mail row the outbox delivers later: nothing here waits on a mail server, and
everything is written in the transaction of the change that caused it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, tzinfo
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, lazyload

from engine import clock
from engine.config import Settings
from engine.notify import webhooks
from engine.people.users import holders
from engine.store.db import Database
from engine.store.models import Case, Notification, Task, User
from engine.timefmt import iso

BATCH = 200
_SUBJECT = {
    "assigned": "【待办】{key}「{step}」",
    "reminder": "【即将到期】{key}「{step}」将于 {due} 到期",
    "overdue": "【已超期】{key}「{step}」已于 {due} 超期",
    "escalated": "【升级】{key}「{step}」（{reason}）",
    "deadline_moved": "【期限调整】{key}「{step}」：{reason}",
    "calendar": "【工作日历】官方节假日安排只到 {until}，请录入 {year} 年的安排",
    "report": "【报告】{title}（{period}）已由 {by} 提交",
}
_ENGLISH = {
    "assigned": "New task “{step}” of case {key}.",
    "reminder": "Task “{step}” of case {key} is due at {due}.",
    "overdue": "Task “{step}” of case {key} was due at {due} and is overdue.",
    "escalated": "Case {key} was escalated ({reason}); task “{step}” is now open.",
    "deadline_moved": "The deadline of task “{step}” of case {key} moved: {reason}.",
    "calendar": "The official holiday schedule ends on {until}: enter the {year} schedule (deadlines after it are "
    "provisional until then).",
    "report": "The report “{title}” for {period} was submitted by {by}.",
}


def recipients(session: Session, task: Task) -> list[User]:
    """Its assignee; while it is unclaimed, its candidates (the holders of its role in the unit it went to)."""
    if task.assignee:
        return list(
            session.scalars(
                select(User).where(User.name == task.assignee, User.active.is_(True)).options(lazyload(User.roles))
            )
        )
    return holders(session, task.role, task.unit_key)


def send(
    session: Session,
    settings: Settings,
    users: Iterable[User],
    kind: str,
    case: Case,
    task: Task | None,
    reason: str = "",
) -> int:
    if case.is_trial:  # a trial of a draft in the studio tells no one
        return 0
    step = task.name if task is not None else reason
    due = iso(task.due_at, settings.timezone) if task is not None and task.due_at else "—"
    values = {"key": case.business_key, "step": step, "due": (due or "—").replace("T", " ")[:16], "reason": reason}
    link = f"{settings.base_url}/tasks/{task.id}" if task is not None else f"{settings.base_url}/cases/{case.id}"
    return _write(session, settings, users, kind, values, [case.title, link], case.id, task.id if task else None)


def send_report(
    session: Session,
    settings: Settings,
    users: Iterable[User],
    case: Case,
    report: int,
    values: dict[str, str],
) -> int:
    """Send a periodic duty's submitted report (``values``: its title, period and who submitted it) to its
    recipients, the roles its source names."""
    return _write(session, settings, users, "report", values, [f"{settings.base_url}/reports/{report}"], case.id, None)


def send_calendar_warning(session: Session, settings: Settings, users: Iterable[User], until: date, today: date) -> int:
    """Tell admins that the official holiday schedule ends on ``until`` (a date within the warning period)."""
    values = {"until": until.isoformat(), "year": str(until.year + 1), "days": str((until - today).days)}
    link = f"{settings.base_url}/admin/calendar?year={until.year + 1}"
    return _write(session, settings, users, "calendar", values, [link], None, None)


def _write(
    session: Session,
    settings: Settings,
    users: Iterable[User],
    kind: str,
    values: dict[str, str],
    lines: list[str],
    case_id: int | None,
    task_id: int | None,
) -> int:
    """An inbox row per user (and an e-mail row when SMTP is set up); ``params`` keep what the subject was made
    of, so the inbox shows it in each reader's language."""
    subject = _SUBJECT[kind].format(**values)
    body = "\n".join([subject, *lines[:-1], _ENGLISH[kind].format(**values), lines[-1]])
    now, count = clock.real_now(), 0
    common = {
        "kind": kind,
        "case_id": case_id,
        "task_id": task_id,
        "subject": subject,
        "body": body,
        "params": values,
        "created_at": now,
    }
    for user in {u.name: u for u in users}.values():
        session.add(Notification(user=user.name, channel="inbox", sent_at=now, **common))
        if settings.smtp is not None and user.email:  # delivered later by the outbox
            session.add(
                Notification(user=user.name, channel="email", address=user.email, next_attempt_at=now, **common)
            )
        count += 1
    return count


def sweep_deadlines(db: Database, settings: Settings) -> int:
    """Send due reminders and overdue notices (and the ``task.overdue`` webhooks); returns how many tasks were
    noticed. Safe with several workers: task rows are taken with SKIP LOCKED, and each notice is flagged in the same
    transaction."""
    noticed = 0
    for kind in ("reminder", "overdue"):
        while True:
            with db.write() as session:
                rows = session.execute(_due(session, kind)).all()
                for task, case in rows:
                    send(session, settings, recipients(session, task), kind, case, task)
                    if kind == "reminder":
                        task.remind_at = None
                    else:
                        task.overdue_noticed = True
                        webhooks.publish(session, settings.timezone, "task.overdue", case, task=task)
                noticed += len(rows)
            if len(rows) < BATCH:
                break
    return noticed


def _due(session: Session, kind: str) -> Select[Task, Case]:
    now = clock.real_now()
    statement = select(Task, Case).join(Case, Task.case_id == Case.id).where(Task.status == "open")
    if kind == "reminder":
        statement = statement.where(Task.remind_at <= now, Task.real_due_at > now)
    else:
        statement = statement.where(Task.real_due_at <= now, Task.overdue_noticed.is_(False))
    statement = statement.order_by(Task.id).limit(BATCH)
    if session.get_bind().dialect.name != "sqlite":
        statement = statement.with_for_update(of=Task, skip_locked=True)
    return statement


def mark_read(session: Session, user: str) -> int:
    """Mark a user's inbox read; returns how many were unread."""
    rows = session.scalars(
        select(Notification).where(
            Notification.user == user, Notification.channel == "inbox", Notification.read_at.is_(None)
        )
    ).all()
    for row in rows:
        row.read_at = clock.real_now()
    return len(rows)


def unread(session: Session, user: str) -> int:
    return session.execute(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user == user, Notification.channel == "inbox", Notification.read_at.is_(None))
    ).scalar_one()


def list_notifications(
    session: Session,
    tz: tzinfo,
    *,
    user: str | None = None,
    channel: str | None = None,
    pending: bool = False,
    limit: int = 500,
) -> list[dict[str, Any]]:
    statement = select(Notification).order_by(Notification.id.desc()).limit(limit)
    if user:
        statement = statement.where(Notification.user == user)
    if channel:
        statement = statement.where(Notification.channel == channel)
    if pending:
        statement = statement.where(Notification.sent_at.is_(None))
    return [
        {
            "id": n.id,
            "to": n.address or n.user,
            "user": n.user,
            "channel": n.channel,
            "kind": n.kind,
            "case": n.case_id,
            "task": n.task_id,
            "subject": n.subject,
            "created_at": iso(n.created_at, tz),
            "sent_at": iso(n.sent_at, tz),
            "read_at": iso(n.read_at, tz),
            "attempts": n.attempts,
            "last_error": n.last_error,
            "params": n.params,
        }
        for n in session.scalars(statement)
    ]
