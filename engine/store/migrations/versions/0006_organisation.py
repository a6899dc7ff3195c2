"""organisation: units in a tree, roles held per unit, a unit for every case and task, the roles of each version

Every existing user keeps their roles in the root unit and every existing case and task moves to it, so nothing
changes for anyone until units are added.

Revision ID: 0006
Revises: 0005
"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

ROOT = 'root'


def upgrade() -> None:
    units = op.create_table(
        'org_unit',
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('parent_key', sa.String(length=80), nullable=True),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['parent_key'], ['org_unit.key']),
        sa.PrimaryKeyConstraint('key'),
    )
    op.create_index('ix_org_unit_parent_key', 'org_unit', ['parent_key'])
    op.bulk_insert(
        units, [{'key': ROOT, 'name': '本单位', 'parent_key': None, 'kind': 'company', 'created_at': datetime.now(UTC)}]
    )

    # user_role gains the unit in its primary key: rebuilt (the same on both backends), rows kept at the root.
    op.rename_table('user_role', 'user_role_before_units')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE user_role_before_units RENAME CONSTRAINT user_role_pkey TO user_role_before_units_pkey')
    op.create_table(
        'user_role',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role_key', sa.String(length=80), nullable=False),
        sa.Column('unit_key', sa.String(length=80), server_default=ROOT, nullable=False),
        sa.ForeignKeyConstraint(['role_key'], ['role.key']),
        sa.ForeignKeyConstraint(['unit_key'], ['org_unit.key']),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('user_id', 'role_key', 'unit_key', name='user_role_pkey'),
    )
    op.execute(
        "INSERT INTO user_role (user_id, role_key, unit_key) SELECT user_id, role_key, 'root' FROM user_role_before_units"
    )
    op.drop_table('user_role_before_units')
    op.create_index('ix_user_role_holders', 'user_role', ['role_key', 'unit_key'])

    with op.batch_alter_table('preplan_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_key', sa.String(length=80), server_default=ROOT, nullable=False))
        batch_op.create_index('ix_preplan_case_unit_key', ['unit_key'])
        batch_op.create_foreign_key('fk_preplan_case_unit_key', 'org_unit', ['unit_key'], ['key'])
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_key', sa.String(length=80), server_default=ROOT, nullable=False))
        batch_op.drop_index('ix_task_open_role')
        batch_op.drop_index('ix_task_open_assignee')
        batch_op.create_index('ix_task_candidates', ['role', 'unit_key', 'status'])
        batch_op.create_index('ix_task_assignee', ['assignee', 'status'])
        batch_op.create_foreign_key('fk_task_unit_key', 'org_unit', ['unit_key'], ['key'])

    roles = op.create_table(
        'version_role',
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('role_key', sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(['version_id'], ['preplan_version.id']),
        sa.PrimaryKeyConstraint('version_id', 'role_key'),
    )
    op.create_index('ix_version_role_role_key', 'version_role', ['role_key'])
    versions = sa.table('preplan_version', sa.column('id', sa.Integer()), sa.column('manifest', sa.JSON()))
    rows = [
        {'version_id': version_id, 'role_key': role}
        for version_id, manifest in op.get_bind().execute(sa.select(versions.c.id, versions.c.manifest))
        for role in (manifest or {}).get('roles', {})
    ]
    if rows:
        op.bulk_insert(roles, rows)


def downgrade() -> None:
    op.drop_index('ix_version_role_role_key', table_name='version_role')
    op.drop_table('version_role')
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_constraint('fk_task_unit_key', type_='foreignkey')
        batch_op.drop_index('ix_task_assignee')
        batch_op.drop_index('ix_task_candidates')
        batch_op.create_index('ix_task_open_assignee', ['status', 'assignee'])
        batch_op.create_index('ix_task_open_role', ['status', 'role'])
        batch_op.drop_column('unit_key')
    with op.batch_alter_table('preplan_case', schema=None) as batch_op:
        batch_op.drop_constraint('fk_preplan_case_unit_key', type_='foreignkey')
        batch_op.drop_index('ix_preplan_case_unit_key')
        batch_op.drop_column('unit_key')
    op.drop_index('ix_user_role_holders', table_name='user_role')
    op.rename_table('user_role', 'user_role_with_units')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE user_role_with_units RENAME CONSTRAINT user_role_pkey TO user_role_with_units_pkey')
    op.create_table(
        'user_role',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role_key', sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(['role_key'], ['role.key']),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('user_id', 'role_key', name='user_role_pkey'),
    )
    op.execute('INSERT INTO user_role (user_id, role_key) SELECT DISTINCT user_id, role_key FROM user_role_with_units')
    op.drop_table('user_role_with_units')
    op.drop_index('ix_org_unit_parent_key', table_name='org_unit')
    op.drop_table('org_unit')
