"""citizens' ratings of returned dossiers, and one rate limit for the public pages

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 17:00:00.000000

- dossier_ratings: the citizen's rating of a returned dossier (very satisfied, satisfied, neutral,
  dissatisfied), once per dossier, with an optional comment, where it was given (at the desk or on
  the public lookup page), the officer who returned the result, the feedback item a "dissatisfied"
  rating with a comment was filed as, and the Vietnam month it was given in (the monthly counts).
- rate_limit_hits: the counts of every rate limit of the public pages (qms.core.ratelimit), each with
  its limit's scope, a keyed hash of the client's address and the time; the feedback box's counts
  (feedback_submissions) move here with the scope "feedback", and the lookup of a dossier counts
  its unsuccessful attempts here too. Deleted after a day by a job, as before.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rate_limit_hits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=40), nullable=False),
    sa.Column('client_key', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_limit_hits'))
    )
    with op.batch_alter_table('rate_limit_hits', schema=None) as batch_op:
        batch_op.create_index('ix_rate_limit_hits_scope_client_at', ['scope', 'client_key', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_rate_limit_hits_at'), ['at'], unique=False)

    # The feedback box's counts of the last day keep counting (the same keys: see qms.core.ratelimit).
    op.execute(
        "INSERT INTO rate_limit_hits (scope, client_key, at) "
        "SELECT 'feedback', client_key, submitted_at FROM feedback_submissions"
    )
    with op.batch_alter_table('feedback_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_submissions_submitted_at'))
        batch_op.drop_index('ix_feedback_submissions_client_at')
    op.drop_table('feedback_submissions')

    op.create_table('dossier_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Enum('very_satisfied', 'satisfied', 'neutral', 'dissatisfied', name='rating', native_enum=False, length=20), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('channel', sa.Enum('desk', 'lookup', name='ratingchannel', native_enum=False, length=20), nullable=False),
    sa.Column('returned_by_id', sa.Integer(), nullable=True),
    sa.Column('feedback_item_id', sa.Integer(), nullable=True),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_dossier_ratings_commune_id_communes')),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_dossier_ratings_dossier_id_dossiers')),
    sa.ForeignKeyConstraint(['feedback_item_id'], ['feedback_items.id'], name=op.f('fk_dossier_ratings_feedback_item_id_feedback_items')),
    sa.ForeignKeyConstraint(['returned_by_id'], ['users.id'], name=op.f('fk_dossier_ratings_returned_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_ratings')),
    sa.UniqueConstraint('dossier_id', name=op.f('uq_dossier_ratings_dossier_id'))
    )
    with op.batch_alter_table('dossier_ratings', schema=None) as batch_op:
        batch_op.create_index('ix_dossier_ratings_commune_month', ['commune_id', 'month'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossier_ratings_returned_by_id'), ['returned_by_id'], unique=False)


def downgrade():
    with op.batch_alter_table('dossier_ratings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_ratings_returned_by_id'))
        batch_op.drop_index('ix_dossier_ratings_commune_month')
    op.drop_table('dossier_ratings')

    op.create_table('feedback_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_key', sa.String(length=64), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_submissions'))
    )
    with op.batch_alter_table('feedback_submissions', schema=None) as batch_op:
        batch_op.create_index('ix_feedback_submissions_client_at', ['client_key', 'submitted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_submissions_submitted_at'), ['submitted_at'], unique=False)
    op.execute(
        "INSERT INTO feedback_submissions (client_key, submitted_at) "
        "SELECT client_key, at FROM rate_limit_hits WHERE scope = 'feedback'"
    )
    with op.batch_alter_table('rate_limit_hits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_limit_hits_at'))
        batch_op.drop_index('ix_rate_limit_hits_scope_client_at')
    op.drop_table('rate_limit_hits')
