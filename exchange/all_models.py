"""Imports every table so that `SQLModel.metadata` is complete (Alembic, tests)."""

from exchange.accounts import models as accounts_models
from exchange.notifications import models as notifications_models

__all__ = ["accounts_models", "notifications_models"]
