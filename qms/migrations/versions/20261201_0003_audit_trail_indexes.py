"""audit trail indexes: a filter by record type alone, and a period, ordered by seq from the index

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 09:00:00

Every index of audit_events now ends in seq, so the page of any filter is ordered from the index
without reading rows (qms.audit.queries.page): by record type alone (a million events, a rare type:
seconds before, under a millisecond after), and by period (the day's or month's seq values sorted
from the index instead of their rows).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


# Plain index operations, not batch mode: a batch that rebuilt audit_events on SQLite would lose
# its append-only triggers.
def upgrade():
    op.create_index('ix_audit_events_commune_type_seq', 'audit_events', ['commune_id', 'entity_type', 'seq'])
    op.create_index('ix_audit_events_commune_occurred_seq', 'audit_events', ['commune_id', 'occurred_at', 'seq'])
    op.drop_index('ix_audit_events_commune_occurred', table_name='audit_events')


def downgrade():
    op.create_index('ix_audit_events_commune_occurred', 'audit_events', ['commune_id', 'occurred_at'])
    op.drop_index('ix_audit_events_commune_occurred_seq', table_name='audit_events')
    op.drop_index('ix_audit_events_commune_type_seq', table_name='audit_events')
