"""Sweepline reference city backend: FastAPI over one SQLite file.

It exists so the tablet has a real peer to sync with in the demo and the test suite;
a city may replace it with its own backend that honours `docs/api.md`.
"""

from __future__ import annotations

from typing import Final

__version__: Final = "0.1.0"
