"""hardening: session generations, one-time start tokens, provisional deadlines, notice parameters, official
calendar years

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('preplan_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('intake_key', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_preplan_case_intake_key', ['intake_key'])
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_provisional', sa.Boolean(), server_default='0', nullable=False))
    with op.batch_alter_table('timer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('provisional', sa.Boolean(), server_default='0', nullable=False))
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('params', sa.JSON(), nullable=True))
    op.create_table(
        'calendar_year',
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('source', sa.String(length=200), nullable=False),
        sa.Column('entered_by', sa.String(length=80), nullable=False),
        sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('year'),
    )


def downgrade() -> None:
    op.drop_table('calendar_year')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('params')
    with op.batch_alter_table('timer', schema=None) as batch_op:
        batch_op.drop_column('provisional')
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_column('due_provisional')
    with op.batch_alter_table('preplan_case', schema=None) as batch_op:
        batch_op.drop_constraint('uq_preplan_case_intake_key', type_='unique')
        batch_op.drop_column('intake_key')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
