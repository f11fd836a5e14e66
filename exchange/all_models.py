"""Imports every table so that `SQLModel.metadata` is complete (Alembic, tests)."""

from exchange import idempotency
from exchange.accounts import models as accounts_models
from exchange.internships import models as internships_models
from exchange.networks import models as networks_models
from exchange.notifications import models as notifications_models
from exchange.profiles import models as profiles_models
from exchange.rounds import models as rounds_models
from exchange.taxonomy import models as taxonomy_models

__all__ = [
    "accounts_models",
    "idempotency",
    "internships_models",
    "networks_models",
    "notifications_models",
    "profiles_models",
    "rounds_models",
    "taxonomy_models",
]
