"""The service layer: :class:`Engine`, the one object the adapters (CLI, web) hold.

Every operation that changes something is a method of it: it takes the acting user, checks the access rule
(:mod:`engine.people.access`) and runs in one transaction. Its operations are written next to the concern they
serve (cases, supervision, calendar, people, preplans, migrations, inbox, timers, webhooks); reading is done with the read
models of :mod:`engine.cases` and the access rules, never by an adapter's own rules.
"""

from __future__ import annotations

from engine.service.attachments import AttachmentOperations
from engine.service.cases import CaseOperations
from engine.service.figures import FigureOperations
from engine.service.inbox import InboxOperations
from engine.service.ledgers import LedgerOperations
from engine.service.messages import MessageOperations
from engine.service.migrations import MigrationOperations
from engine.service.people import PeopleOperations
from engine.service.preplans import PreplanOperations
from engine.service.reading import ReadOperations
from engine.service.studio import StudioOperations
from engine.service.supervision import SupervisionOperations
from engine.service.timers import TimerOperations
from engine.service.tokens import TokenOperations
from engine.service.trials import TrialOperations
from engine.service.webhooks import WebhookOperations


class Engine(
    TrialOperations,
    CaseOperations,
    SupervisionOperations,
    TimerOperations,
    PeopleOperations,
    PreplanOperations,
    InboxOperations,
    MessageOperations,
    TokenOperations,
    ReadOperations,
    WebhookOperations,
    AttachmentOperations,
    FigureOperations,
    LedgerOperations,
    MigrationOperations,
    StudioOperations,
):
    """The configured engine: database, settings, the cached versions, and every operation."""
