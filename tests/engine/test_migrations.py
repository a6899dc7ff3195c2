"""The Alembic migrations create exactly the schema the models describe (no drift), on both backends."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from engine.store.db import Database
from engine.store.models import Base


@pytest.mark.parametrize("backend", ["sqlite_url", pytest.param("postgres_url", marks=pytest.mark.postgres)])
def test_models_match_the_migrated_schema(request, backend):
    db = Database(request.getfixturevalue(backend))
    try:
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = [
                d
                for d in compare_metadata(context, Base.metadata)
                if d[0] != "remove_table" or d[1].name != "alembic_version"
            ]
        assert differences == []
    finally:
        db.dispose()
