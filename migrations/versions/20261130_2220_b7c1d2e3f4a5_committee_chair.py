"""Committee chair: one current member seat chairs the steering committee

Revision ID: b7c1d2e3f4a5
Revises: f4f890cd27ac
Create Date: 2026-11-30 22:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7c1d2e3f4a5'
down_revision = 'f4f890cd27ac'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('mandates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chair', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('mandates', schema=None) as batch_op:
        batch_op.drop_column('chair')
