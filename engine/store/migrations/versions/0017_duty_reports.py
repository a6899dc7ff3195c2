"""periodic duties: a case may run one of its preplan's duties (preplan_case.duty), and duty_report keeps each
period's report (compiled figures, status, due time, comments, who submitted it, its version)

Revision ID: 0017
Revises: 0015
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('preplan_case', sa.Column('duty', sa.String(length=40), nullable=True))
    op.create_table(
        'duty_report',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('preplan_key', sa.String(length=80), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('period', sa.String(length=16), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('unit_key', sa.String(length=80), sa.ForeignKey('org_unit.key'), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), sa.ForeignKey('preplan_case.id'), nullable=True, unique=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('opens_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('figures', sa.JSON(), nullable=False),
        sa.Column('comments', sa.Text(), nullable=True),
        sa.Column('submitted_by', sa.String(length=80), nullable=True),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint('preplan_key', 'kind', 'unit_key', 'period', 'version'),
    )
    op.create_index('ix_duty_report_status', 'duty_report', ['status'])


def downgrade() -> None:
    op.drop_index('ix_duty_report_status', table_name='duty_report')
    op.drop_table('duty_report')
    # A plain column drop (SQLite 3.35+ too): rebuilding preplan_case would delete the rows other tables refer to.
    op.execute('ALTER TABLE preplan_case DROP COLUMN duty')
