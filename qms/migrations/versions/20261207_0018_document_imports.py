"""document imports

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 06:30:00.000000

- document_imports: each import of a commune's existing document system (a master list and its
  files): who started it and when, the list's and the .zip's names and SHA-256 (both kept in the
  store), its status (checking, checked, importing, done, failed) and progress, its report (every
  row's plan and problems), its counts, the digest of what it imported (sealed by the quality
  officer's signature) and the error that stopped it.
- document_versions: a version brought in by an import keeps the import and the list's row, its
  issue date and the names of who drafted, reviewed and approved it, as text.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('document_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('list_name', sa.String(length=200), nullable=False),
    sa.Column('list_sha256', sa.String(length=64), nullable=False),
    sa.Column('files_name', sa.String(length=200), nullable=False),
    sa.Column('files_sha256', sa.String(length=64), nullable=True),
    sa.Column('status', sa.Enum('checking', 'checked', 'importing', 'done', 'failed', name='importstatus', native_enum=False, length=20), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('new_versions', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('refused', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_document_imports_commune_id_communes')),
    sa.ForeignKeyConstraint(['started_by_id'], ['users.id'], name=op.f('fk_document_imports_started_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_imports'))
    )
    op.create_index('ix_document_imports_commune_started', 'document_imports', ['commune_id', 'started_at'], unique=False)
    with op.batch_alter_table('document_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('imported_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('imported_row', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('issued_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('drafted_by_name', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('reviewed_by_name', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('approved_by_name', sa.String(length=200), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_document_versions_imported_id'), ['imported_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_document_versions_imported_id_document_imports'), 'document_imports', ['imported_id'], ['id'])


def downgrade():
    with op.batch_alter_table('document_versions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_document_versions_imported_id_document_imports'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_document_versions_imported_id'))
        batch_op.drop_column('approved_by_name')
        batch_op.drop_column('reviewed_by_name')
        batch_op.drop_column('drafted_by_name')
        batch_op.drop_column('issued_on')
        batch_op.drop_column('imported_row')
        batch_op.drop_column('imported_id')
    op.drop_index('ix_document_imports_commune_started', table_name='document_imports')
    op.drop_table('document_imports')
