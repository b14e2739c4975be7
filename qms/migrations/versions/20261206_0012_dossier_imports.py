"""dossier imports

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 16:30:00.000000

- dossier_imports: each import of a file from the provincial one-stop system (qms dossier import,
  the page /dossiers/import): who started it, the file's name, SHA-256 and size, its status
  (running, finished, failed) and progress while it runs (updated_at: its last step, to tell
  an import that stopped with its server from one still running), the rows read, created, unchanged
  (already recorded) and refused, the nonconformities opened for late results, the due dates the
  file gives that differ from ours, and the refused rows (row, column, reason) as JSON.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('dossier_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('running', 'finished', 'failed', name='importstatus', native_enum=False, length=20), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('progress', sa.Float(), nullable=True),
    sa.Column('rows_read', sa.Integer(), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('bad', sa.Integer(), nullable=False),
    sa.Column('ncs_opened', sa.Integer(), nullable=False),
    sa.Column('due_dates_differ', sa.Integer(), nullable=False),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_dossier_imports_commune_id_communes')),
    sa.ForeignKeyConstraint(['started_by_id'], ['users.id'], name=op.f('fk_dossier_imports_started_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_imports'))
    )
    with op.batch_alter_table('dossier_imports', schema=None) as batch_op:
        batch_op.create_index('ix_dossier_imports_commune_started', ['commune_id', 'started_at'], unique=False)


def downgrade():
    with op.batch_alter_table('dossier_imports', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_imports_commune_started')

    op.drop_table('dossier_imports')
