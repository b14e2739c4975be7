"""evidence packs

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 02:40:00.000000

- evidence_packs: each evidence pack asked for on a page (a document, a nonconformity or an audit,
  with the .zip of its records, index and manifest): the commune, the subject (kind and key: a
  document's code, an NC's or audit's id; its name at request time), who asked and when, the status
  (queued, running, done, failed) and progress (done of total steps; updated_at: its last step, to
  tell a pack whose server stopped from one still being built), then the pack's stored file
  (sha256, size, file name) or the error that stopped it.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evidence_packs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('subject_kind', sa.Enum('document', 'nonconformity', 'audit', name='subjectkind', native_enum=False, length=20), nullable=False),
    sa.Column('subject_key', sa.String(length=64), nullable=False),
    sa.Column('subject_name', sa.String(length=400), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='packstatus', native_enum=False, length=20), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_evidence_packs_commune_id_communes')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_evidence_packs_requested_by_id_users')),
    sa.ForeignKeyConstraint(['sha256'], ['stored_files.sha256'], name=op.f('fk_evidence_packs_sha256_stored_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_packs'))
    )
    with op.batch_alter_table('evidence_packs', schema=None) as batch_op:
        batch_op.create_index('ix_evidence_packs_commune_requested', ['commune_id', 'requested_at'], unique=False)


def downgrade():
    with op.batch_alter_table('evidence_packs', schema=None) as batch_op:
        batch_op.drop_index('ix_evidence_packs_commune_requested')

    op.drop_table('evidence_packs')
