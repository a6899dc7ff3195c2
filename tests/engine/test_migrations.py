"""The Alembic migrations create exactly the schema the models describe (no drift), on both backends."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from engine.store.db import Database
from engine.store.models import Base

#: What each database builds for full-text search beside the models' tables (engine.cases.search): SQLite's FTS5
#: table and its shadow tables, PostgreSQL's trigram indexes.
SEARCH_INDEXES = ("case_search_fts", "ix_case_search_")


@pytest.mark.parametrize("backend", ["sqlite_url", pytest.param("postgres_url", marks=pytest.mark.postgres)])
def test_models_match_the_migrated_schema(request, backend):
    db = Database(request.getfixturevalue(backend))
    try:
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = [
                d
                for d in compare_metadata(context, Base.metadata)
                if not (d[0] == "remove_table" and d[1].name == "alembic_version")
                and not (d[0] in ("remove_table", "remove_index") and d[1].name.startswith(SEARCH_INDEXES))
            ]
        assert differences == []
    finally:
        db.dispose()
