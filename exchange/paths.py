"""Where the non-Python parts of the project (templates, migrations, static files) live."""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    # An installed (non-editable) package lives in site-packages, away from templates/ and
    # migrations/; the Dockerfile points EXCHANGE_HOME at the source tree for that case.
    home = os.environ.get("EXCHANGE_HOME")
    if home:
        return Path(home)
    return Path(__file__).resolve().parents[1]


def templates_dir() -> Path:
    return project_root() / "templates"


def static_dir() -> Path:
    return project_root() / "static"


def migrations_dir() -> Path:
    return project_root() / "migrations"
