"""Dependencies shared by every domain: settings and the request's database session."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from exchange.config import Settings
from exchange.db import SessionDep


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]

__all__ = ["SessionDep", "SettingsDep"]
