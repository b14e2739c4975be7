"""shared homes: signatures on any record, damaged stored files, what a password was typed for

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-06 09:00:00

- signatures: a signature names its subject by record type and id instead of a foreign key to a
  document version, and keeps the digest of what was signed (signed_digest, formerly file_sha256)
  and its seal (formerly digest). Existing signatures keep their meaning, time and digests and are
  marked scheme 1, the seal they were made with, so they still verify. The table stays append-only.
- stored_files.damaged_at: when a reader found a file missing or no longer matching its SHA-256.
- login_attempts.purpose: sign_in, signature or password_change (every failure counts toward the
  lock-out; the home page's warning counts failed sign-ins only).
- the role installation_admin: the installation's own administrator, who adds communes.
- auth_sessions.last_seen_at goes: the signed session cookie says when the browser was last active,
  so that reading a page writes nothing.
"""
from alembic import op
import sqlalchemy as sa

from qms.db import append_only_ddl, drop_append_only_ddl

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0003'
branch_labels = None
depends_on = None

MEANINGS = sa.Enum('reviewed', 'approved', 'returned', 'withdrawn', 'confirmed', name='signaturemeaning',
                   native_enum=False, length=20)


def upgrade():
    dialect = op.get_bind().dialect.name
    for statement in drop_append_only_ddl(dialect, "signatures"):
        op.execute(statement)
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_type', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('subject_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('scheme', sa.SmallInteger(), nullable=True))
    op.execute("UPDATE signatures SET subject_type = 'document_versions', subject_id = version_id, scheme = 1")
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.alter_column('subject_type', existing_type=sa.String(length=60), nullable=False)
        batch_op.alter_column('subject_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('scheme', existing_type=sa.SmallInteger(), nullable=False)
        batch_op.alter_column('meaning', existing_type=MEANINGS, type_=sa.String(length=40),
                              existing_nullable=False)
        batch_op.alter_column('file_sha256', new_column_name='signed_digest', existing_type=sa.String(length=64),
                              existing_nullable=False)
        batch_op.alter_column('digest', new_column_name='seal', existing_type=sa.String(length=64),
                              existing_nullable=False)
        batch_op.drop_index('ix_signatures_version_id')
        batch_op.drop_constraint('fk_signatures_version_id_document_versions', type_='foreignkey')
        batch_op.drop_column('version_id')
        batch_op.create_index('ix_signatures_subject', ['subject_type', 'subject_id'], unique=False)
    for statement in append_only_ddl(dialect, "signatures"):
        op.execute(statement)

    with op.batch_alter_table('stored_files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('damaged_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.String(length=20), nullable=False, server_default='sign_in'))
    with op.batch_alter_table('auth_sessions', schema=None) as batch_op:
        batch_op.drop_column('last_seen_at')
    roles = sa.table("roles", sa.column("code"), sa.column("name_vi"), sa.column("name_en"))
    op.bulk_insert(roles, [{"code": "installation_admin", "name_vi": "Quản trị cài đặt (các xã)",
                            "name_en": "Installation administrator"}])


def downgrade():
    """Back to signatures on document versions only: signatures on other records cannot be kept."""
    dialect = op.get_bind().dialect.name
    op.execute("DELETE FROM user_roles WHERE role_id IN (SELECT id FROM roles WHERE code = 'installation_admin')")
    op.execute("DELETE FROM roles WHERE code = 'installation_admin'")
    with op.batch_alter_table('auth_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE auth_sessions SET last_seen_at = created_at")
    with op.batch_alter_table('auth_sessions', schema=None) as batch_op:
        batch_op.alter_column('last_seen_at', existing_type=sa.DateTime(timezone=True), nullable=False)
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_column('purpose')
    with op.batch_alter_table('stored_files', schema=None) as batch_op:
        batch_op.drop_column('damaged_at')
    for statement in drop_append_only_ddl(dialect, "signatures"):
        op.execute(statement)
    op.execute("DELETE FROM signatures WHERE subject_type <> 'document_versions'")
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version_id', sa.Integer(), nullable=True))
    op.execute("UPDATE signatures SET version_id = subject_id")
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_index('ix_signatures_subject')
        batch_op.alter_column('version_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key('fk_signatures_version_id_document_versions', 'document_versions',
                                    ['version_id'], ['id'])
        batch_op.create_index('ix_signatures_version_id', ['version_id'], unique=False)
        batch_op.alter_column('seal', new_column_name='digest', existing_type=sa.String(length=64),
                              existing_nullable=False)
        batch_op.alter_column('signed_digest', new_column_name='file_sha256', existing_type=sa.String(length=64),
                              existing_nullable=False)
        batch_op.alter_column('meaning', existing_type=sa.String(length=40), type_=MEANINGS, existing_nullable=False)
        batch_op.drop_column('scheme')
        batch_op.drop_column('subject_id')
        batch_op.drop_column('subject_type')
    for statement in append_only_ddl(dialect, "signatures"):
        op.execute(statement)
