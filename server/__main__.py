"""`python -m server [COMMAND] --db PATH ...`: serve, import routes, administer, back up.

Every command names its store with `--db PATH` (SQLite) or `--database URL`
(PostgreSQL); `backup` copies a SQLite file only and says to use pg_dump otherwise.
Without a command it serves with uvicorn: `python -m server --db PATH [--host H]
[--port N] [--seed-demo]`. Options fall back to SWEEPLINE_DB, SWEEPLINE_DATABASE_URL,
SWEEPLINE_HOST, SWEEPLINE_PORT and SWEEPLINE_LOG_FORMAT (`text` or `json`), and every limit in
`server.settings` to `SWEEPLINE_<NAME>` (e.g. SWEEPLINE_TOKEN_TTL_S), so a service unit
or container configures the server through its environment.

The commands are listed by `python -m server --help` from `COMMANDS`, so a new command
cannot be missing from it.
"""

from __future__ import annotations

import argparse
import gc
import getpass
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

from server.import_cli import add_import_arguments, import_file
from server.logs import configure_logging
from server.settings import KEEP_ALIVE_S, Settings, settings_from_env
from server.stores import is_postgres_url, open_store

# Every command with its one-line summary: `--help` is built from this table.
COMMANDS: Final[dict[str, str]] = {
    "serve": "serve the API (the default without a command)",
    "import-routes": "FILE: import a GeoJSON street layer (--preset / field options)",
    "import-areas": "FILE: import GeoJSON district or ward polygons (equity view)",
    "add-user": "NAME: create or update an account (password from stdin or a prompt)",
    "disable-user": "NAME: disable an account and end its sessions",
    "add-device": "ID: register a tablet and its vehicle",
    "assign": "assign a route to an operator and device for a date",
    "unassign": "ID: delete an assignment",
    "list-users": "list the accounts",
    "list-devices": "list the tablets",
    "list-routes": "list the routes (ids for `assign --route`)",
    "list-assignments": "list assignments (--date, --operator)",
    "save-form": "FILE: add a feedback form definition (JSON) or a new version of it",
    "list-forms": "list the feedback forms",
    "recompute-state": "rebuild per-segment state from the stored facts",
    "backup": "DEST: consistent copy of the live database (SQLite online backup)",
    "migrate-to-postgres": "--from FILE --to URL: copy a pilot's SQLite database into PostgreSQL",
}


def _command_list() -> str:
    width = max(len(name) for name in COMMANDS) + 2
    lines = [f"  {name:<{width}}{summary}" for name, summary in COMMANDS.items()]
    return (
        "commands (each takes --db FILE or --database URL too; `python -m server COMMAND"
        " --help` shows its options):\n" + "\n".join(lines)
    )


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"port {text!r} is not a number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is outside 0–65535")
    return port


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        default=os.environ.get("SWEEPLINE_DB"),
        help="SQLite database file (created if missing) [env SWEEPLINE_DB]",
    )
    parser.add_argument(
        "--database",
        default=os.environ.get("SWEEPLINE_DATABASE_URL"),
        metavar="URL",
        help="PostgreSQL instead of a file: postgresql://USER@HOST/DB [env SWEEPLINE_DATABASE_URL]",
    )
    parser.add_argument(
        "--log-format",
        choices=("text", "json"),
        default=os.environ.get("SWEEPLINE_LOG_FORMAT", "text"),
        help="log line format [env SWEEPLINE_LOG_FORMAT, default text]",
    )


def _serve_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=__doc__,
        epilog=_command_list(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _common(parser)
    parser.add_argument(
        "--host",
        default=os.environ.get("SWEEPLINE_HOST", "127.0.0.1"),
        help="address to listen on [env SWEEPLINE_HOST, default 127.0.0.1]",
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=os.environ.get("SWEEPLINE_PORT", "8765"),
        help="TCP port [env SWEEPLINE_PORT, default 8765]",
    )
    parser.add_argument(
        "--seed-demo",
        action="store_true",
        help="seed the demo routes and accounts if the database has none",
    )
    parser.add_argument(
        "--reuse-port",
        action="store_true",
        default=os.environ.get("SWEEPLINE_REUSE_PORT") == "1",
        help="let several server processes listen on the same port (PostgreSQL only; "
        "the kernel spreads connections) [env SWEEPLINE_REUSE_PORT=1]",
    )
    parser.add_argument(
        "--tls-cert",
        type=Path,
        default=os.environ.get("SWEEPLINE_TLS_CERT") or None,
        help="PEM certificate chain: serve HTTPS [env SWEEPLINE_TLS_CERT]",
    )
    parser.add_argument(
        "--tls-key",
        type=Path,
        default=os.environ.get("SWEEPLINE_TLS_KEY") or None,
        help="PEM private key of --tls-cert [env SWEEPLINE_TLS_KEY]",
    )
    return parser


def _command_parser(command: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"python -m server {command}", description=COMMANDS[command]
    )
    _common(parser)
    if command == "import-routes":
        add_import_arguments(parser)
    elif command == "add-user":
        parser.add_argument("username")
        parser.add_argument("--role", choices=("operator", "supervisor", "admin"), required=True)
        parser.add_argument("--display-name", default="")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of standard input",
        )
    elif command == "disable-user":
        parser.add_argument("username")
        parser.add_argument("--enable", action="store_true", help="re-enable instead")
    elif command == "add-device":
        parser.add_argument("device_id")
        parser.add_argument("--vehicle", required=True)
    elif command == "assign":
        parser.add_argument("--date", required=True, help="YYYY-MM-DD")
        parser.add_argument("--operator", required=True)
        parser.add_argument("--device", required=True)
        parser.add_argument("--route", required=True)
        parser.add_argument("--vehicle")
        parser.add_argument("--id", help="assignment id (default asg-DATE-ROUTE)")
    elif command == "unassign":
        parser.add_argument("assignment_id")
    elif command == "list-assignments":
        parser.add_argument("--date")
        parser.add_argument("--operator")
    elif command == "save-form":
        parser.add_argument("file", type=Path, help="JSON form definition")
        parser.add_argument("--by", default="cli", help="who is recorded as its author")
    elif command == "import-areas":
        parser.add_argument("file", type=Path, help="GeoJSON (Multi)Polygons, WGS84")
        parser.add_argument("--name-field", default="District", help="property naming the area")
        parser.add_argument("--kind", default="district", help="e.g. district, ward")
        parser.add_argument("--id-prefix", default="", help="prefix for area ids")
        parser.add_argument("--attribution", default="")
        parser.add_argument("--replace", action="store_true", help="replace existing areas")
    elif command == "backup":
        parser.add_argument("destination", type=Path, help="new file to write the copy to")
    return parser


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Backwards compatible: no command (or `serve`) means serve."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in COMMANDS and args[0] != "serve":
        command = args.pop(0)
        parser = _command_parser(command)
    else:
        command = "serve"
        if args and args[0] == "serve":
            args.pop(0)
        parser = _serve_parser("python -m server")
    namespace = parser.parse_args(args)
    namespace.command = command
    if namespace.db and namespace.database:
        parser.error("--db and --database name two stores: give one")
    if not namespace.database and not namespace.db:
        parser.error("--db (or SWEEPLINE_DB) or --database (SWEEPLINE_DATABASE_URL) is required")
    if namespace.database and not is_postgres_url(namespace.database):
        parser.error(f"--database must be a postgresql:// URL, not {namespace.database!r}")
    namespace.store = namespace.database or namespace.db
    return namespace


def _print(rows: Sequence[dict[str, Any]]) -> None:
    for row in rows:
        print(json.dumps(row, ensure_ascii=False))


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(f"password for {args.username}: ")
    if getpass.getpass("again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def _run_admin(args: argparse.Namespace, settings: Settings) -> int:
    from server import admin
    from server.coverage_profile import store_profile
    from server.facts import recompute_segment_state
    from server.importer import RouteImportError, load_geojson

    db = open_store(args.store)
    db.migrate()
    with db.write() as conn:  # assignments made here carry the configured rule too
        store_profile(conn, settings.coverage_profile)
    actions: dict[str, Callable[[], None]] = {}

    def save_form_file() -> None:
        from server.forms import save_form

        definition = load_geojson(args.file)
        with db.write() as conn:
            form = save_form(conn, definition, args.by)
        print(json.dumps({"id": form["id"], "version": form["version"]}))

    def import_area_file() -> None:
        from server.equity import import_areas

        data = load_geojson(args.file)
        with db.write() as conn:
            ids = import_areas(
                conn,
                data,
                name_field=args.name_field,
                kind=args.kind,
                id_prefix=args.id_prefix,
                attribution=args.attribution,
                replace=args.replace,
            )
        print(f"imported {len(ids)} areas: {', '.join(ids)}")

    def add_user() -> None:
        password = _password(args)
        with db.write() as conn:
            _print(
                [
                    admin.create_user(
                        conn,
                        username=args.username,
                        password=password,
                        role=args.role,
                        display_name=args.display_name,
                        settings=settings,
                    )
                ]
            )

    def disable_user() -> None:
        with db.write() as conn:
            _print([admin.set_user_disabled(conn, args.username, not args.enable)])

    def add_device() -> None:
        with db.write() as conn:
            _print([admin.upsert_device(conn, device_id=args.device_id, vehicle=args.vehicle)])

    def assign() -> None:
        request = admin.AssignmentRequest(
            date=args.date,
            operator=args.operator,
            device_id=args.device,
            route_id=args.route,
            vehicle=args.vehicle,
            assignment_id=args.id,
        )
        with db.write() as conn:
            _print([admin.assign(conn, request)])

    def unassign() -> None:
        with db.write() as conn:
            admin.unassign(conn, args.assignment_id)
        print(f"deleted {args.assignment_id}")

    def listing(read: Callable[..., list[dict[str, Any]]], **kwargs: Any) -> Callable[[], None]:
        def run() -> None:
            with db.read() as conn:
                _print(read(conn, **kwargs))

        return run

    def recompute() -> None:
        with db.write() as conn:
            print(f"replayed {recompute_segment_state(conn)} segment_swept fact(s)")

    def backup() -> None:
        size = db.backup(args.destination)
        print(f"backed up {db.description} to {args.destination} ({size} bytes)")

    actions.update(
        {
            "import-routes": lambda: import_file(db, args),
            "add-user": add_user,
            "disable-user": disable_user,
            "add-device": add_device,
            "assign": assign,
            "unassign": unassign,
            "list-users": listing(admin.list_users),
            "list-devices": listing(admin.list_devices),
            "list-routes": listing(admin.list_routes),
            "recompute-state": recompute,
            "backup": backup,
            "save-form": save_form_file,
            "import-areas": import_area_file,
        }
    )
    if args.command == "list-forms":
        from server.forms import list_forms

        actions["list-forms"] = listing(list_forms)
    if args.command == "list-assignments":
        actions["list-assignments"] = listing(
            admin.list_assignments, day=args.date, operator=args.operator
        )
    try:
        actions[args.command]()
    except (RouteImportError, admin.AdminError, ValueError, FileExistsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["migrate-to-postgres"]:
        from server.migrate_pg import main as migrate_to_postgres

        return migrate_to_postgres(argv[1:])
    args = parse_args(argv)
    configure_logging(args.log_format)
    try:
        settings = settings_from_env()
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.command != "serve":
        return _run_admin(args, settings)

    import socket

    import uvicorn

    from server.app import close_app, create_app

    if (args.tls_cert is None) != (args.tls_key is None):
        print("error: --tls-cert and --tls-key go together", file=sys.stderr)
        return 2
    for tls_file in (args.tls_cert, args.tls_key):
        if tls_file is not None and not tls_file.is_file():
            print(f"error: no such TLS file: {tls_file}", file=sys.stderr)
            return 2
    if args.reuse_port and not is_postgres_url(args.store):
        print("error: --reuse-port needs --database (one SQLite file per process)", file=sys.stderr)
        return 2
    app = create_app(args.store, seed_demo=args.seed_demo, settings=settings)
    # What start-up built (routes, schemas, the demo data) lives as long as the process:
    # kept out of the collector's sight, a full collection takes microseconds instead of
    # stalling every request in flight for ~25 ms (63 k objects).
    gc.collect()
    gc.freeze()
    # Our own socket with proto=IPPROTO_TCP: asyncio then sets TCP_NODELAY on accepted
    # connections (uvicorn's own socket has proto 0, and every keep-alive answer would
    # wait ~40 ms for a delayed ACK).
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if args.reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 2
    sock.listen(2048)
    config = uvicorn.Config(
        app,
        log_config=None,
        access_log=False,
        lifespan="off",
        timeout_keep_alive=KEEP_ALIVE_S,
        timeout_graceful_shutdown=5,
        backlog=2048,
        ssl_certfile=str(args.tls_cert) if args.tls_cert else None,
        ssl_keyfile=str(args.tls_key) if args.tls_key else None,
    )
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        close_app(app)
    return 0


if __name__ == "__main__":
    logging.captureWarnings(True)
    sys.exit(main())
