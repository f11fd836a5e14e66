"""The baseline of benchmarks/load.py: a bare FastAPI endpoint that reads one row from the same
database with the same engine settings (pool, SQLite pragmas) and nothing else — no middleware,
no authentication, no ORM objects. Served by uvicorn exactly as `exchange serve` serves the app:
`uvicorn benchmarks.bare_app:create_app --factory`."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlmodel import Session, select

from exchange.config import get_settings
from exchange.db import READ_ONLY_OPTION, engine_for
from exchange.profiles.models import Business


def create_app() -> FastAPI:
    engine = engine_for(get_settings())
    app = FastAPI()

    @app.get("/bare")
    def bare() -> dict[str, Any]:
        with Session(engine) as session:
            session.connection(execution_options={READ_ONLY_OPTION: True})
            row = session.exec(select(Business.slug, Business.name).limit(1)).one()
        return {"slug": row[0], "name": row[1]}

    return app
