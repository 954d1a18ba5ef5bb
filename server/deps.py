"""FastAPI dependencies that hand each request the app's database and settings.

Kept apart from the handlers so every router reaches shared state the same way (through
`app.state`, set once by `create_app`) and tests can build several apps side by side.
They are `async` only so that FastAPI calls them on the event loop: a plain `def`
dependency costs a round trip through the thread pool on every request.
"""

from __future__ import annotations

from fastapi import Request

from server.dbapi import Store
from server.settings import Settings


async def get_db(request: Request) -> Store:
    db: Store = request.app.state.db
    return db


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings
