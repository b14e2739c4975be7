"""audit checkpoint evidence: the hash prefixes of the events a checkpoint covers

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 10:00:00

A checkpoint now keeps, with the head it signs, the first 16 hex digits of the hash of every event
since the previous checkpoint (its signature covers them too), so that verification names the first
event of a rewritten chain instead of the next checkpoint (qms.audit.verify). Checkpoints made
before keep an empty evidence and verify as they did.
"""
from alembic import op
import sqlalchemy as sa

from qms.db import append_only_ddl

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    # recreate='never': SQLite adds the column in place; a rebuilt table would lose its append-only triggers
    with op.batch_alter_table('audit_checkpoints', recreate='never') as batch_op:
        batch_op.add_column(sa.Column('evidence', sa.Text(), nullable=False, server_default=''))


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        # SQLite rebuilds the table to drop a column, and the new table has no triggers: they are made again
        with op.batch_alter_table('audit_checkpoints', recreate='always') as batch_op:
            batch_op.drop_column('evidence')
        for statement in append_only_ddl(dialect, 'audit_checkpoints'):
            op.execute(statement)
    else:
        op.drop_column('audit_checkpoints', 'evidence')
