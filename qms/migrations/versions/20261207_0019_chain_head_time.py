"""the chain head keeps the time of the last event

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 12:00:00.000000

- audit_chain_head.occurred_at: the time of the event the head records, so that appending an event
  (which never dates it before the one it follows) reads it with the head it locks instead of
  looking the last event up; filled from that event.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_chain_head', schema=None) as batch_op:
        batch_op.add_column(sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE audit_chain_head SET occurred_at = "
        "(SELECT occurred_at FROM audit_events WHERE audit_events.seq = audit_chain_head.seq)"
    )


def downgrade():
    with op.batch_alter_table('audit_chain_head', schema=None) as batch_op:
        batch_op.drop_column('occurred_at')
