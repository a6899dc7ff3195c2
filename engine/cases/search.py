"""Full-text search over cases: business key, title, the values of their fields (complainant, contact, project,
description…) and their comments, for the cases list and the work list.

What is searched is kept in ``case_search`` (lower-cased), written in the transaction that changes the case: at
start and every save (:func:`index_case`), and at every comment (:func:`index_comment`). **Confidential fields
are left out**: who may read one depends on the person and the case (``access.readable_fields``), and a match
would tell that the value is there even where the page then shows ``（保密）``; so nobody finds a case by a
whistleblower's name, not even those who may read it (they find it by anything else it holds).

Chinese has no spaces between words, so both databases index overlapping three-character pieces (trigrams) of the
text, which find any substring of three characters or more whatever the words are, with no dictionary to keep:

* SQLite: an FTS5 table with ``tokenize='trigram'`` (SQLite ≥ 3.34) over ``case_search``, kept by triggers; a
  query is one phrase of the query's trigrams.
* PostgreSQL: pg_trgm GIN indexes over both columns, queried with ``LIKE '%…%'`` (a bitmap index scan). Chosen over
  a bigram ``tsvector`` because it needs no text-search configuration or tokenising function of our own, keeps
  one meaning (a substring) on both databases, and the index is rechecked against the text, so it is exact.

Queries of one or two characters (a surname, a two-character name such as 张三) have no trigram. They are checked
per case as the list reads it in its own index order (a substring test on the case's row of ``case_search``): a
page stops as soon as it is full, and a short query that matches rarely reads the visible cases once. Every search
is a condition on the list's rows, so it combines with each branch of the visibility rule and keyset paging.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import ColumnElement, column, exists, func, literal_column, or_, select, table, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import InstrumentedAttribute, Session

from engine.store.models import Case, CaseSearch

#: The shortest query an index answers (a trigram); shorter ones are checked case by case.
TRIGRAM = 3
#: The longest query taken (longer text is cut): a search box, not a document.
LONGEST = 200
#: SQLite's FTS5 index of ``case_search`` (a virtual table, made by the migration): its rowid is the case id.
_FTS = table("case_search_fts", column("rowid"))


def fields_text(business_key: str, title: str, data: Mapping[str, Any], confidential: Iterable[str]) -> str:
    """The searchable text of a case's own values: its key, title and the text of every field but the
    confidential ones (nested lists and objects included), one value a line."""
    hidden = set(confidential)
    values = [business_key, title]
    values += [text for name, value in data.items() if name not in hidden for text in _texts(value)]
    return "\n".join(v for v in values if v).lower()


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value.strip()]
    if isinstance(value, Mapping):
        return [text for item in value.values() for text in _texts(item)]
    if isinstance(value, list):
        return [text for item in value for text in _texts(item)]
    return []


def index_case(session: Session, case: Case, confidential: Iterable[str]) -> None:
    """Write the case's searchable values (one statement; a save that changed none of them writes nothing)."""
    text = fields_text(case.business_key, case.title, case.data, confidential)
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = module.insert(CaseSearch).values(case_id=case.id, fields=text, comments="")
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[CaseSearch.case_id],
            set_={"fields": statement.excluded.fields},
            where=CaseSearch.fields != statement.excluded.fields,
        )
    )


def index_comment(session: Session, case_id: int, text: str) -> None:
    """Add a comment to what finds its case (its row exists since the case started)."""
    session.execute(
        update(CaseSearch)
        .where(CaseSearch.case_id == case_id)
        .values(comments=CaseSearch.comments + literal_column("'\n'") + text.lower())
    )


def matching(session: Session, case_id: InstrumentedAttribute[int], query: str) -> ColumnElement[bool] | None:
    """The condition "the case in ``case_id`` holds ``query``" (None for a blank query), for a list to add to its
    filters."""
    # control characters and lone surrogates are in no case's text (and would break the index's query syntax)
    words = "".join(ch for ch in query if ch.isprintable()).strip().lower()[:LONGEST]
    if not words:
        return None
    dialect = session.get_bind().dialect.name
    if len(words) < TRIGRAM:
        holds = func.strpos if dialect == "postgresql" else func.instr
        return exists().where(
            CaseSearch.case_id == case_id,
            or_(holds(CaseSearch.fields, words) > 0, holds(CaseSearch.comments, words) > 0),
        )
    if dialect == "postgresql":
        pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        found = select(CaseSearch.case_id).where(
            or_(CaseSearch.fields.like(pattern, escape="\\"), CaseSearch.comments.like(pattern, escape="\\"))
        )
        return case_id.in_(found)
    phrase = '"' + words.replace('"', '""') + '"'
    return case_id.in_(select(_FTS.c.rowid).where(literal_column(_FTS.name).op("MATCH")(phrase)))
