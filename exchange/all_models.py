"""Imports every table so that `SQLModel.metadata` is complete (Alembic, tests)."""

from exchange.accounts import models as accounts_models
from exchange.internships import models as internships_models
from exchange.notifications import models as notifications_models
from exchange.profiles import models as profiles_models
from exchange.taxonomy import models as taxonomy_models

__all__ = [
    "accounts_models",
    "internships_models",
    "notifications_models",
    "profiles_models",
    "taxonomy_models",
]
