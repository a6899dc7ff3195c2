"""full-text search over cases: case_search (a case's searchable values and comments) and its trigram index

SQLite: an FTS5 table with the trigram tokenizer over case_search, kept by triggers. PostgreSQL: pg_trgm GIN
indexes over both columns (the extension is created where it is missing; pg_trgm is a trusted extension, so the
database's owner may). Existing cases are indexed here, without their confidential fields (engine.cases.search).

Revision ID: 0015
Revises: 0014
"""
from alembic import op
import sqlalchemy as sa

from engine.cases.search import fields_text
from engine.preplans.manifest import Manifest


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

TRIGGERS = {
    'case_search_ai': "AFTER INSERT ON case_search BEGIN "
    "INSERT INTO case_search_fts(rowid, fields, comments) VALUES (new.case_id, new.fields, new.comments); END",
    'case_search_ad': "AFTER DELETE ON case_search BEGIN "
    "INSERT INTO case_search_fts(case_search_fts, rowid, fields, comments) "
    "VALUES ('delete', old.case_id, old.fields, old.comments); END",
    'case_search_au': "AFTER UPDATE ON case_search BEGIN "
    "INSERT INTO case_search_fts(case_search_fts, rowid, fields, comments) "
    "VALUES ('delete', old.case_id, old.fields, old.comments); "
    "INSERT INTO case_search_fts(rowid, fields, comments) VALUES (new.case_id, new.fields, new.comments); END",
}


def upgrade() -> None:
    op.create_table(
        'case_search',
        sa.Column('case_id', sa.Integer(), sa.ForeignKey('preplan_case.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('fields', sa.Text(), nullable=False, server_default=''),
        sa.Column('comments', sa.Text(), nullable=False, server_default=''),
    )
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        op.execute(
            "CREATE VIRTUAL TABLE case_search_fts USING fts5(fields, comments, content='case_search', "
            "content_rowid='case_id', tokenize='trigram')"
        )
        for name, body in TRIGGERS.items():
            op.execute(f'CREATE TRIGGER {name} {body}')
    else:
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        home = bind.execute(
            sa.text("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'")
        ).scalar_one()
        for column in ('fields', 'comments'):
            op.execute(f'CREATE INDEX ix_case_search_{column} ON case_search USING gin ({column} {home}.gin_trgm_ops)')
    _fill(bind)


def _fill(bind: sa.Connection) -> None:
    """Index every case as a save would, and its comments."""
    versions = sa.table('preplan_version', sa.column('id'), sa.column('manifest', sa.JSON()))
    confidential = {
        version_id: Manifest.from_stored(manifest).confidential
        for version_id, manifest in bind.execute(sa.select(versions.c.id, versions.c.manifest))
    }
    comments: dict[int, list[str]] = {}
    for case_id, text in bind.execute(sa.text('SELECT case_id, text FROM comment ORDER BY id')):
        comments.setdefault(case_id, []).append(text.lower())
    cases = sa.table('preplan_case', sa.column('id'), sa.column('version_id'), sa.column('business_key'),
                     sa.column('title'), sa.column('data', sa.JSON()))
    search = sa.table('case_search', sa.column('case_id'), sa.column('fields'), sa.column('comments'))
    rows = [
        {
            'case_id': case_id,
            'fields': fields_text(key, title or '', data or {}, confidential.get(version_id, {})),
            'comments': '\n'.join(comments.get(case_id, [])),
        }
        for case_id, version_id, key, title, data in bind.execute(
            sa.select(cases.c.id, cases.c.version_id, cases.c.business_key, cases.c.title, cases.c.data)
        )
    ]
    for first in range(0, len(rows), 1000):
        bind.execute(search.insert(), rows[first:first + 1000])


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for name in TRIGGERS:
            op.execute(f'DROP TRIGGER {name}')
        op.execute('DROP TABLE case_search_fts')
    op.drop_table('case_search')
