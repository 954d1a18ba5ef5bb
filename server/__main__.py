"""`python -m server --db PATH [--host H] [--port N] [--seed-demo]`: serve with uvicorn.

Options fall back to SWEEPLINE_DB, SWEEPLINE_HOST and SWEEPLINE_PORT so a service unit
or container can configure the server through its environment.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

import uvicorn

from server.app import create_app


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m server", description=__doc__)
    parser.add_argument(
        "--db",
        default=os.environ.get("SWEEPLINE_DB"),
        help="SQLite database file (created if missing) [env SWEEPLINE_DB]",
    )
    parser.add_argument(
        "--host",
        default=os.environ.get("SWEEPLINE_HOST", "127.0.0.1"),
        help="address to listen on [env SWEEPLINE_HOST, default 127.0.0.1]",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=os.environ.get("SWEEPLINE_PORT", "8765"),
        help="TCP port [env SWEEPLINE_PORT, default 8765]",
    )
    parser.add_argument(
        "--seed-demo",
        action="store_true",
        help="seed the demo routes and accounts if the database has none",
    )
    args = parser.parse_args(argv)
    if not args.db:
        parser.error("--db (or SWEEPLINE_DB) is required")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = create_app(args.db, seed_demo=args.seed_demo)
    uvicorn.run(app, host=args.host, port=args.port, log_config=None, lifespan="off")
    return 0


if __name__ == "__main__":
    sys.exit(main())
