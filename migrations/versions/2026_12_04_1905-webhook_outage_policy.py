"""webhook outage policy: when an endpoint's run of failures began and its outage clock started

Revision ID: 0007_webhook_outage
Revises: 0007
Create Date: 2026-12-04 19:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007_webhook_outage'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('webhook_endpoints') as batch:
        batch.add_column(sa.Column('first_failure_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('failing_since', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('webhook_endpoints') as batch:
        batch.drop_column('failing_since')
        batch.drop_column('first_failure_at')
