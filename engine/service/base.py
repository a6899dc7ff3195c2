"""What every operation of the service layer works with, and how it knows who is acting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo
from functools import cached_property

from sqlalchemy.orm import Session

from engine.cases.live import LiveCases
from engine.cases.run import CaseRun, RunContext
from engine.config import Settings
from engine.errors import Stale, say
from engine.files.store import FileStore, Store
from engine.notify import webhooks
from engine.people import access
from engine.people.org import Org
from engine.people.users import get_user
from engine.preplans.catalog import VersionCache
from engine.preplans.spec import new_workflow
from engine.store.db import Database
from engine.store.models import Case, User
from engine.store.records import newest_active_version

#: Who acts when no user is named: the system itself (timers, starts from integrations).
SYSTEM_ACTOR = "system"
#: Who acts for an administration command run without ``--as``: whoever holds the server's credentials.
OPERATOR = "cli"


class ServiceBase:
    """The database, the settings, and the in-process caches of deployed versions, live workflows and the setup
    (units and webhook subscriptions)."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db, self.settings, self.versions = db, settings, VersionCache()
        self.live = LiveCases(settings.live_cases, int(settings.live_megabytes * 2**20))
        self.setup = SetupCache()

    @property
    def context(self) -> RunContext:
        """What a run of one case needs from the engine (and nothing else of it)."""
        return RunContext(self.versions, self.settings, self.live)

    def context_with(self, org: Org) -> RunContext:
        """The run context of an operation that has already read the organisation."""
        return RunContext(self.versions, self.settings, self.live, org)

    def first_run(self, session: Session, case: Case, process: str | None, org: Org, actor: str) -> CaseRun:
        """A new case's workflow, started from its version's process (a periodic duty's, or the complaint process
        when None) with the case's data, advanced to what it first waits for and saved."""
        workflow = new_workflow(self.versions.spec(session, case.version_id, process))
        workflow.task_tree.data.update(case.data)
        with CaseRun(self.context_with(org), session, case, workflow, open_rows=[]) as run:
            run.advance()
            run.save(actor)
        return run

    @property
    def tz(self) -> tzinfo:
        return self.settings.timezone

    @cached_property
    def files(self) -> Store:
        """Where attachments' bytes are kept: files under the instance folder, unless another store (e.g. an
        S3-compatible bucket, see :mod:`engine.files.store`) was assigned to this attribute."""
        return FileStore(self.settings.instance_dir / "attachments")

    @staticmethod
    def acting(session: Session, user: str | None, requirement: Callable[[User], None], default: str) -> str:
        """The name an operation is recorded under: ``default`` when no user is named (the system or the operator
        of the command line), else the user, once ``requirement`` (an access rule) holds for them."""
        if user is None:
            return default
        person = get_user(session, user)
        requirement(person)
        return person.name


def editing(service: ServiceBase, session: Session, key: str, user: str | None) -> str:
    """The name a studio operation on preplan ``key`` is recorded under, once the preplan exists and the user may
    edit it (its process owner, the owner of every preplan, or an admin)."""
    newest_active_version(session, key, active=False)
    return service.acting(session, user, lambda person: access.require_edit_preplan(session, person, key), OPERATOR)


def require_revision(case: Case, expected: int | None) -> None:
    """Act only on the case as the caller last read it (an HTTP ``If-Match``): a case changed since is refused,
    with nothing changed. ``None`` expects nothing."""
    if expected is not None and case.revision != expected:
        raise Stale(
            say(
                "case %(case)s changed since revision %(expected)s (it is at revision %(revision)s); nothing was changed",
                case=case.business_key,
                expected=expected,
                revision=case.revision,
            )
        )


class SetupCache:
    """What each step reads about the installation, its units and its webhook subscriptions, as this process last
    read them, with the setup revision they had (:data:`engine.store.records.SETUP_REVISION`); shared by the
    threads of a process (neither is changed once read)."""

    def __init__(self) -> None:
        self._held: tuple[str, Org, webhooks.Subscriptions] | None = None

    def at(self, session: Session, revision: str) -> Org:
        """The organisation at ``revision``, with the subscriptions made known to ``session``'s transaction: the
        ones held, or read again when the setup changed since."""
        held = self._held
        if held is None or held[0] != revision:
            held = self._held = (revision, Org.load(session), webhooks.active_subscriptions(session))
        webhooks.use_subscriptions(session, held[2])
        return held[1]
