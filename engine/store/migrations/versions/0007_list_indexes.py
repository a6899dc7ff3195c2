"""list indexes: the work list and the cases list page by the last row seen, on indexes that hold their sort

The work list reads one's assigned tasks and the unclaimed pool in deadline order (the pool per role and unit, or
per role filtered by units); the cases list reads newest first (by id, given at start): the cases of a unit, and
the cases of one's steps (assigned, or as a candidate per role and unit, or per role filtered by units).

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

UNCLAIMED = sa.text('assignee IS NULL')


def upgrade() -> None:
    op.drop_index('ix_task_assignee', table_name='task')
    op.create_index('ix_task_assignee', 'task', ['assignee', 'status', 'real_due_at', 'id'])
    for name, columns in (
        ('ix_task_pool', ['role', 'unit_key', 'status', 'real_due_at', 'id']),
        ('ix_task_pool_by_role', ['role', 'status', 'real_due_at', 'id', 'unit_key']),
    ):
        op.create_index(name, 'task', columns, sqlite_where=UNCLAIMED, postgresql_where=UNCLAIMED)
    op.drop_index('ix_task_candidates', table_name='task')
    op.create_index('ix_task_candidates', 'task', ['role', 'unit_key', 'case_id'])
    op.create_index('ix_task_candidates_by_role', 'task', ['role', 'case_id', 'unit_key'])
    op.create_index('ix_task_assignee_case', 'task', ['assignee', 'case_id'])
    op.drop_index('ix_preplan_case_unit_key', table_name='preplan_case')
    op.create_index('ix_preplan_case_unit', 'preplan_case', ['unit_key', 'id'])


def downgrade() -> None:
    op.drop_index('ix_preplan_case_unit', table_name='preplan_case')
    op.create_index('ix_preplan_case_unit_key', 'preplan_case', ['unit_key'])
    op.drop_index('ix_task_assignee_case', table_name='task')
    op.drop_index('ix_task_candidates_by_role', table_name='task')
    op.drop_index('ix_task_candidates', table_name='task')
    op.create_index('ix_task_candidates', 'task', ['role', 'unit_key', 'status'])
    op.drop_index('ix_task_pool_by_role', table_name='task')
    op.drop_index('ix_task_pool', table_name='task')
    op.drop_index('ix_task_assignee', table_name='task')
    op.create_index('ix_task_assignee', 'task', ['assignee', 'status'])
