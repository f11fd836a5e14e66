"""profiles taxonomy and matrix

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 19:18:19.337621
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('departments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(40), nullable=False),
    sa.Column('name', sa.String(80), nullable=False),
    sa.Column('description', sa.String(300), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_departments')),
    sa.UniqueConstraint('key', name=op.f('uq_departments_key'))
    )
    op.create_table('industries',
    sa.Column('code', sa.String(4), nullable=False),
    sa.Column('level', sa.String(8), nullable=False),
    sa.Column('title', sa.String(255), nullable=False),
    sa.Column('parent_code', sa.String(4), nullable=True),
    sa.ForeignKeyConstraint(['parent_code'], ['industries.code'], name=op.f('fk_industries_parent_code_industries')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_industries'))
    )
    with op.batch_alter_table('industries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_industries_level'), ['level'], unique=False)

    op.create_table('businesses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(80), nullable=False),
    sa.Column('name', sa.String(120), nullable=False),
    sa.Column('description', sa.String(2000), nullable=False),
    sa.Column('website', sa.String(255), nullable=True),
    sa.Column('isic_class', sa.String(4), nullable=False),
    sa.Column('country', sa.String(2), nullable=False),
    sa.Column('region', sa.String(100), nullable=False),
    sa.Column('region_normalized', sa.String(100), nullable=False),
    sa.Column('city', sa.String(100), nullable=False),
    sa.Column('city_normalized', sa.String(100), nullable=False),
    sa.Column('market_reach', sa.String(16), nullable=False),
    sa.Column('size_band', sa.String(8), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('hosting_capacity', sa.Integer(), nullable=False),
    sa.Column('visibility', sa.String(16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('hosting_capacity >= 0 AND hosting_capacity <= 50', name=op.f('ck_businesses_hosting_capacity_range')),
    sa.ForeignKeyConstraint(['isic_class'], ['industries.code'], name=op.f('fk_businesses_isic_class_industries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_businesses')),
    sa.UniqueConstraint('slug', name=op.f('uq_businesses_slug'))
    )
    with op.batch_alter_table('businesses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_businesses_city_normalized'), ['city_normalized'], unique=False)
        batch_op.create_index(batch_op.f('ix_businesses_country'), ['country'], unique=False)
        batch_op.create_index(batch_op.f('ix_businesses_isic_class'), ['isic_class'], unique=False)

    op.create_table('processes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(100), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(100), nullable=False),
    sa.Column('description', sa.String(300), nullable=False),
    sa.Column('complexity', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('complexity BETWEEN 1 AND 3', name=op.f('ck_processes_complexity_range')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_processes_department_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_processes')),
    sa.UniqueConstraint('key', name=op.f('uq_processes_key'))
    )
    with op.batch_alter_table('processes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_processes_department_id'), ['department_id'], unique=False)

    op.create_table('business_exclusions',
    sa.Column('business_id', sa.Integer(), nullable=False),
    sa.Column('excluded_business_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_business_exclusions_business_id_businesses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['excluded_business_id'], ['businesses.id'], name=op.f('fk_business_exclusions_excluded_business_id_businesses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('business_id', 'excluded_business_id', name=op.f('pk_business_exclusions'))
    )
    op.create_table('business_external_refs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(64), nullable=False),
    sa.Column('external_id', sa.String(128), nullable=False),
    sa.Column('business_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_business_external_refs_business_id_businesses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_business_external_refs')),
    sa.UniqueConstraint('source', 'external_id', name='uq_business_external_refs_source_id')
    )
    with op.batch_alter_table('business_external_refs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_business_external_refs_business_id'), ['business_id'], unique=False)

    op.create_table('business_memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('business_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_business_memberships_business_id_businesses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_business_memberships_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_business_memberships')),
    sa.UniqueConstraint('business_id', 'user_id', name='uq_business_memberships_business_user')
    )
    with op.batch_alter_table('business_memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_business_memberships_business_id'), ['business_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_business_memberships_user_id'), ['user_id'], unique=False)

    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('business_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(254), nullable=False),
    sa.Column('email_normalized', sa.String(254), nullable=False),
    sa.Column('role', sa.String(16), nullable=False),
    sa.Column('token_hash', sa.String(64), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['users.id'], name=op.f('fk_invitations_accepted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_invitations_business_id_businesses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_invitations_invited_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invitations_token_hash'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_business_id'), ['business_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitations_email_normalized'), ['email_normalized'], unique=False)

    op.create_table('matrix_cells',
    sa.Column('business_id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('offer', sa.Boolean(), nullable=False),
    sa.Column('need', sa.Integer(), nullable=False),
    sa.Column('target_level', sa.Integer(), nullable=True),
    sa.Column('evidence', sa.String(500), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('level BETWEEN 0 AND 5', name=op.f('ck_matrix_cells_level_range')),
    sa.CheckConstraint('need BETWEEN 0 AND 3', name=op.f('ck_matrix_cells_need_range')),
    sa.CheckConstraint('target_level IS NULL OR (target_level > level AND target_level <= 5)', name=op.f('ck_matrix_cells_target_above_level')),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_matrix_cells_business_id_businesses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['process_id'], ['processes.id'], name=op.f('fk_matrix_cells_process_id_processes')),
    sa.PrimaryKeyConstraint('business_id', 'process_id', name=op.f('pk_matrix_cells'))
    )
    with op.batch_alter_table('matrix_cells', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matrix_cells_process_id'), ['process_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('matrix_cells', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matrix_cells_process_id'))

    op.drop_table('matrix_cells')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_email_normalized'))
        batch_op.drop_index(batch_op.f('ix_invitations_business_id'))

    op.drop_table('invitations')
    with op.batch_alter_table('business_memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_business_memberships_user_id'))
        batch_op.drop_index(batch_op.f('ix_business_memberships_business_id'))

    op.drop_table('business_memberships')
    with op.batch_alter_table('business_external_refs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_business_external_refs_business_id'))

    op.drop_table('business_external_refs')
    op.drop_table('business_exclusions')
    with op.batch_alter_table('processes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_processes_department_id'))

    op.drop_table('processes')
    with op.batch_alter_table('businesses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_businesses_isic_class'))
        batch_op.drop_index(batch_op.f('ix_businesses_country'))
        batch_op.drop_index(batch_op.f('ix_businesses_city_normalized'))

    op.drop_table('businesses')
    with op.batch_alter_table('industries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_industries_level'))

    op.drop_table('industries')
    op.drop_table('departments')
