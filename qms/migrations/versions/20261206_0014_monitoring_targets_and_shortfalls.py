"""the one-stop shop's monitoring: yearly targets and months below target taken up as nonconformities

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 20:30:00.000000

- dossier_targets: the target the quality officer sets per indicator (on-time rate, share filed
  online, average handling time, satisfied share) and year, with who set it and when.
- dossier_shortfalls: a month whose on-time rate fell below its target, taken up as a nonconformity
  by one signed action: the month's figures and the target when it was signed.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('dossier_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.Enum('on_time_rate', 'online_share', 'handling_days', 'satisfied_share', name='indicator', native_enum=False, length=30), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=False),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_dossier_targets_commune_id_communes')),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_dossier_targets_set_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_targets')),
    sa.UniqueConstraint('commune_id', 'year', 'indicator', name=op.f('uq_dossier_targets_commune_id_year_indicator'))
    )
    op.create_table('dossier_shortfalls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('results', sa.Integer(), nullable=False),
    sa.Column('on_time', sa.Integer(), nullable=False),
    sa.Column('target', sa.Float(), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_dossier_shortfalls_commune_id_communes')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_dossier_shortfalls_opened_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_shortfalls')),
    sa.UniqueConstraint('commune_id', 'month', name=op.f('uq_dossier_shortfalls_commune_id_month'))
    )


def downgrade():
    op.drop_table('dossier_shortfalls')
    op.drop_table('dossier_targets')
