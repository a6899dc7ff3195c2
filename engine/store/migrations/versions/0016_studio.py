"""the studio: process owners (for one preplan or all), one shared draft per preplan (trial cases need no column:
their ids are negative)

Revision ID: 0016
Revises: 0015
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'preplan_owner',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('user_account.id'), nullable=False, index=True),
        sa.Column('preplan_key', sa.String(80), nullable=True),
        sa.UniqueConstraint('user_id', 'preplan_key'),
    )
    op.create_table(
        'preplan_draft',
        sa.Column('preplan_key', sa.String(80), primary_key=True),
        sa.Column('files', sa.JSON(), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column('based_on_version', sa.Integer(), nullable=True),
        sa.Column('updated_by', sa.String(80), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.String(80), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.execute(
        "INSERT INTO role (key, title_zh, title_en) SELECT 'process_owner', '流程负责人', 'Process owner' "
        "WHERE NOT EXISTS (SELECT 1 FROM role WHERE key = 'process_owner')"
    )


def downgrade() -> None:
    op.execute("DELETE FROM role WHERE key = 'process_owner'")
    op.drop_table('preplan_draft')
    op.drop_table('preplan_owner')
