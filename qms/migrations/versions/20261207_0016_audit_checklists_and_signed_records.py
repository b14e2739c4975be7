"""audit checklists, attachments, signed plans and reports, and conducting an audit

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 02:09:23.733063

- audit_questions: each commune's checklist library, a row per question and version (a question an audit
  used is changed as its next version).
- audit_checklist_items: an audit's checklist: a library question at its version or the audit's own
  question, its result, evidence notes and the finding it recorded.
- audit_attachments: evidence files (stored files) of an audit's checklist questions.
- audit_records: an audit's signed plan and report, each revision's state and .docx.
- audits: when it was started, reported and closed, and by whom; the report's summary, strengths and
  conclusions.
"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=20), nullable=False),
    sa.Column('clause', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('is_withdrawn', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_audit_questions_commune_id_communes')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_audit_questions_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_questions')),
    sa.UniqueConstraint('commune_id', 'key', 'version', name=op.f('uq_audit_questions_commune_id_key_version'))
    )
    with op.batch_alter_table('audit_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_questions_commune_id'), ['commune_id'], unique=False)

    op.create_table('audit_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('plan', 'report', name='recordkind', native_enum=False, length=20), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['audit_id'], ['audits.id'], name=op.f('fk_audit_records_audit_id_audits')),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_audit_records_commune_id_communes')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_audit_records_created_by_id_users')),
    sa.ForeignKeyConstraint(['sha256'], ['stored_files.sha256'], name=op.f('fk_audit_records_sha256_stored_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_records')),
    sa.UniqueConstraint('audit_id', 'kind', 'revision', name=op.f('uq_audit_records_audit_id_kind_revision'))
    )
    with op.batch_alter_table('audit_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_records_audit_id'), ['audit_id'], unique=False)

    op.create_table('audit_checklist_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('clause', sa.String(length=20), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=True),
    sa.Column('own_text', sa.Text(), nullable=True),
    sa.Column('result', sa.Enum('conform', 'major', 'minor', 'observation', 'improvement', name='checklistresult', native_enum=False, length=20), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finding_id', sa.Integer(), nullable=True),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.CheckConstraint('(question_id IS NULL) <> (own_text IS NULL)', name=op.f('ck_audit_checklist_items_one_question')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_audit_checklist_items_answered_by_id_users')),
    sa.ForeignKeyConstraint(['audit_id'], ['audits.id'], name=op.f('fk_audit_checklist_items_audit_id_audits')),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_audit_checklist_items_commune_id_communes')),
    sa.ForeignKeyConstraint(['finding_id'], ['audit_findings.id'], name=op.f('fk_audit_checklist_items_finding_id_audit_findings')),
    sa.ForeignKeyConstraint(['question_id'], ['audit_questions.id'], name=op.f('fk_audit_checklist_items_question_id_audit_questions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checklist_items')),
    sa.UniqueConstraint('audit_id', 'position', name=op.f('uq_audit_checklist_items_audit_id_position')),
    sa.UniqueConstraint('audit_id', 'question_id', name=op.f('uq_audit_checklist_items_audit_id_question_id'))
    )
    with op.batch_alter_table('audit_checklist_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_checklist_items_audit_id'), ['audit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_checklist_items_question_id'), ['question_id'], unique=False)

    op.create_table('audit_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('media_type', sa.String(length=120), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_audit_attachments_added_by_id_users')),
    sa.ForeignKeyConstraint(['audit_id'], ['audits.id'], name=op.f('fk_audit_attachments_audit_id_audits')),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_audit_attachments_commune_id_communes')),
    sa.ForeignKeyConstraint(['item_id'], ['audit_checklist_items.id'], name=op.f('fk_audit_attachments_item_id_audit_checklist_items')),
    sa.ForeignKeyConstraint(['sha256'], ['stored_files.sha256'], name=op.f('fk_audit_attachments_sha256_stored_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_attachments'))
    )
    with op.batch_alter_table('audit_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_attachments_audit_id'), ['audit_id'], unique=False)

    with op.batch_alter_table('audits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('started_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('started_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reported_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('closed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('summary', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('strengths', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('conclusions', sa.Text(), nullable=False, server_default=''))
        batch_op.create_foreign_key(batch_op.f('fk_audits_closed_by_id_users'), 'users', ['closed_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_audits_started_by_id_users'), 'users', ['started_by_id'], ['id'])






def downgrade():



    with op.batch_alter_table('audits', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_audits_started_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_audits_closed_by_id_users'), type_='foreignkey')
        batch_op.drop_column('conclusions')
        batch_op.drop_column('strengths')
        batch_op.drop_column('summary')
        batch_op.drop_column('closed_by_id')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('reported_at')
        batch_op.drop_column('started_by_id')
        batch_op.drop_column('started_at')

    with op.batch_alter_table('audit_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_attachments_audit_id'))

    op.drop_table('audit_attachments')
    with op.batch_alter_table('audit_checklist_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_checklist_items_question_id'))
        batch_op.drop_index(batch_op.f('ix_audit_checklist_items_audit_id'))

    op.drop_table('audit_checklist_items')
    with op.batch_alter_table('audit_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_records_audit_id'))

    op.drop_table('audit_records')
    with op.batch_alter_table('audit_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_questions_commune_id'))

    op.drop_table('audit_questions')
