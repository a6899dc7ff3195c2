"""The appraisal ledgers (:mod:`engine.cases.ledgers`) as one person may read them: the access rule first, then the
figures over the cases they may see, in one read transaction."""

from __future__ import annotations

from typing import Any

from engine.cases import ledgers
from engine.cases.report_exports import ledger_tables
from engine.cases.sight import Sight
from engine.people import access
from engine.people.users import get_user
from engine.service.base import ServiceBase
from engine.tabular import Table


class LedgerOperations(ServiceBase):
    def ledger(self, preplan: str, year: int, part: int | None = None, *, user: str | None = None) -> dict[str, Any]:
        """The ledger of ``preplan`` for ``year`` or one month / quarter of it (``part``). ``user`` None is the
        operator of the command line, who reads every case."""
        kind = ledgers.ledger_of(preplan)
        with self.db.read() as session:
            person = get_user(session, user) if user is not None else None
            if person is not None:
                access.require_ledger_reader(person, preplan, kind.roles)
            sight = Sight(session, self.versions, person)
            return ledgers.compute(session, sight, self.tz, preplan, year, part)

    def ledger_tables(
        self, preplan: str, year: int, part: int | None = None, *, user: str | None = None
    ) -> list[Table]:
        """The ledger as tables to export, read by the same rule as :meth:`ledger`."""
        found = self.ledger(preplan, year, part, user=user)
        with self.db.read() as session:
            manifest = self.versions.newest(session, preplan, active=False).manifest
        return ledger_tables(found, manifest)
