"""internal audits: the yearly programme, its approved revisions, audits, their scope and team, findings

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 23:52:46.540033

- audit_programmes: one per commune and year, its revision and status (draft, approved).
- audit_programme_revisions: a revision as a leader approved it (the programme's state the signature
  seals).
- audits: coded per commune and year (ĐGNB-2026-01), criteria, clauses, planned dates, lead auditor.
- audit_processes (a procedure's process or a system process, exactly one), audit_units,
  audit_team_members: the scope and the team.
- audit_findings: graded findings, the NC a major or minor one opened, the decision on the others.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_programmes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'approved', name='programmestatus', native_enum=False, length=20), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_audit_programmes_approved_by_id_users')),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_audit_programmes_commune_id_communes')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_audit_programmes_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_programmes')),
    sa.UniqueConstraint('commune_id', 'year', name=op.f('uq_audit_programmes_commune_id_year'))
    )
    op.create_table('audit_programme_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_audit_programme_revisions_approved_by_id_users')),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_audit_programme_revisions_commune_id_communes')),
    sa.ForeignKeyConstraint(['programme_id'], ['audit_programmes.id'], name=op.f('fk_audit_programme_revisions_programme_id_audit_programmes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_programme_revisions')),
    sa.UniqueConstraint('programme_id', 'revision', name=op.f('uq_audit_programme_revisions_programme_id_revision'))
    )
    op.create_table('audits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('serial', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('criteria', sa.Text(), nullable=False),
    sa.Column('clauses', sa.JSON(), nullable=False),
    sa.Column('planned_start', sa.Date(), nullable=False),
    sa.Column('planned_end', sa.Date(), nullable=False),
    sa.Column('lead_auditor_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('planned', 'in_progress', 'reported', 'closed', 'cancelled', name='auditstatus', native_enum=False, length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=False),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_audits_commune_id_communes')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_audits_created_by_id_users')),
    sa.ForeignKeyConstraint(['lead_auditor_id'], ['users.id'], name=op.f('fk_audits_lead_auditor_id_users')),
    sa.ForeignKeyConstraint(['programme_id'], ['audit_programmes.id'], name=op.f('fk_audits_programme_id_audit_programmes')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_audits_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audits')),
    sa.UniqueConstraint('commune_id', 'code', name=op.f('uq_audits_commune_id_code')),
    sa.UniqueConstraint('commune_id', 'year', 'serial', name=op.f('uq_audits_commune_id_year_serial'))
    )
    with op.batch_alter_table('audits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audits_programme_id'), ['programme_id'], unique=False)

    op.create_table('audit_findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('clause', sa.String(length=20), nullable=False),
    sa.Column('grade', sa.Enum('major', 'minor', 'observation', 'improvement', name='grade', native_enum=False, length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('nc_id', sa.Integer(), nullable=True),
    sa.Column('decision', sa.Enum('accepted', 'not_accepted', name='decision', native_enum=False, length=20), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['audit_id'], ['audits.id'], name=op.f('fk_audit_findings_audit_id_audits')),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_audit_findings_commune_id_communes')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_audit_findings_decided_by_id_users')),
    sa.ForeignKeyConstraint(['nc_id'], ['nonconformities.id'], name=op.f('fk_audit_findings_nc_id_nonconformities')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_audit_findings_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_findings'))
    )
    with op.batch_alter_table('audit_findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_findings_audit_id'), ['audit_id'], unique=False)

    op.create_table('audit_processes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=True),
    sa.Column('system_process', sa.String(length=40), nullable=True),
    sa.CheckConstraint('(procedure_id IS NULL) <> (system_process IS NULL)', name=op.f('ck_audit_processes_one_process')),
    sa.ForeignKeyConstraint(['audit_id'], ['audits.id'], name=op.f('fk_audit_processes_audit_id_audits')),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'], name=op.f('fk_audit_processes_procedure_id_procedures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_processes')),
    sa.UniqueConstraint('audit_id', 'procedure_id', name=op.f('uq_audit_processes_audit_id_procedure_id')),
    sa.UniqueConstraint('audit_id', 'system_process', name=op.f('uq_audit_processes_audit_id_system_process'))
    )
    with op.batch_alter_table('audit_processes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_processes_audit_id'), ['audit_id'], unique=False)

    op.create_table('audit_team_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('is_lead', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['audit_id'], ['audits.id'], name=op.f('fk_audit_team_members_audit_id_audits')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_team_members_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_team_members')),
    sa.UniqueConstraint('audit_id', 'user_id', name=op.f('uq_audit_team_members_audit_id_user_id'))
    )
    with op.batch_alter_table('audit_team_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_team_members_audit_id'), ['audit_id'], unique=False)

    op.create_table('audit_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['audit_id'], ['audits.id'], name=op.f('fk_audit_units_audit_id_audits')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_audit_units_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_units')),
    sa.UniqueConstraint('audit_id', 'unit_id', name=op.f('uq_audit_units_audit_id_unit_id'))
    )
    with op.batch_alter_table('audit_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_units_audit_id'), ['audit_id'], unique=False)


def downgrade():
    with op.batch_alter_table('audit_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_units_audit_id'))

    op.drop_table('audit_units')
    with op.batch_alter_table('audit_team_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_team_members_audit_id'))

    op.drop_table('audit_team_members')
    with op.batch_alter_table('audit_processes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_processes_audit_id'))

    op.drop_table('audit_processes')
    with op.batch_alter_table('audit_findings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_findings_audit_id'))

    op.drop_table('audit_findings')
    with op.batch_alter_table('audits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audits_programme_id'))

    op.drop_table('audits')
    op.drop_table('audit_programme_revisions')
    op.drop_table('audit_programmes')
