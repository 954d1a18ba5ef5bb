"""FastAPI dependencies that hand each request the app's database and settings.

Kept apart from the handlers so every router reaches shared state the same way (through
`app.state`, set once by `create_app`) and tests can build several apps side by side.
"""

from __future__ import annotations

from fastapi import Request

from server.db import Database
from server.settings import Settings


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings
