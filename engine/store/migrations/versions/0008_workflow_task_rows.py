"""workflow_task: a case's workflow stored as one row per SpiffWorkflow task

Each case's state document is split: its tasks (and its subprocesses' tasks) become rows of ``workflow_task``, the
rest (data, events, subprocesses' own state) stays on the case row. A downgrade puts the tasks back into the
document. The documents' content is not otherwise touched, whatever serializer version wrote them.

Revision ID: 0008
Revises: 0007
"""
import json

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

BATCH = 200

cases = sa.table('preplan_case', sa.column('id', sa.Integer), sa.column('state', sa.JSON))
rows = sa.table(
    'workflow_task',
    sa.column('case_id', sa.Integer),
    sa.column('task_id', sa.String),
    sa.column('process', sa.String),
    sa.column('body', sa.Text),
)


def upgrade() -> None:
    op.create_table(
        'workflow_task',
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.String(length=36), nullable=False),
        sa.Column('process', sa.String(length=36), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['preplan_case.id']),
        sa.PrimaryKeyConstraint('case_id', 'task_id'),
    )
    connection = op.get_bind()
    for batch in _batches(connection):
        for case_id, state in batch:
            if not state or 'tasks' not in state:
                continue
            state = dict(state)
            found = [(task_id, '', body) for task_id, body in state.pop('tasks').items()]
            subprocesses = {}
            for key, sub in state.get('subprocesses', {}).items():
                sub = dict(sub)
                found += [(task_id, key, body) for task_id, body in sub.pop('tasks', {}).items()]
                subprocesses[key] = sub
            state['subprocesses'] = subprocesses
            if found:
                connection.execute(
                    rows.insert(),
                    [
                        {
                            'case_id': case_id,
                            'task_id': task_id,
                            'process': process,
                            'body': json.dumps(body, separators=(',', ':'), ensure_ascii=False),
                        }
                        for task_id, process, body in found
                    ],
                )
            connection.execute(cases.update().where(cases.c.id == case_id).values(state=state))


def downgrade() -> None:
    connection = op.get_bind()
    for batch in _batches(connection):
        for case_id, state in batch:
            if not state or 'tasks' in state or 'root' not in state:
                continue
            state = dict(state)
            found: dict[str, dict] = {}
            for task_id, process, body in connection.execute(
                sa.select(rows.c.task_id, rows.c.process, rows.c.body).where(rows.c.case_id == case_id)
            ):
                found.setdefault(process, {})[task_id] = json.loads(body)
            state['tasks'] = _parents_first(found.get('', {}), state['root'])
            state['subprocesses'] = {
                key: {**sub, 'tasks': _parents_first(found.get(key, {}), sub['root'])}
                for key, sub in state.get('subprocesses', {}).items()
            }
            connection.execute(cases.update().where(cases.c.id == case_id).values(state=state))
    op.drop_table('workflow_task')


def _batches(connection):
    last = 0
    while True:
        batch = connection.execute(
            sa.select(cases.c.id, cases.c.state).where(cases.c.id > last).order_by(cases.c.id).limit(BATCH)
        ).all()
        if not batch:
            return
        yield batch
        last = batch[-1][0]


def _parents_first(documents, root):
    """The tree under ``root``, a parent before its children (SpiffWorkflow restores a task's data from its
    parent's); rows of tasks the workflow dropped are not part of it."""
    ordered = {}
    pending = [root]
    while pending:
        document = documents.get(pending.pop())
        if document is None or document['id'] in ordered:
            continue
        ordered[document['id']] = document
        pending.extend(reversed(document['children']))
    return ordered
