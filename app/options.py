"""The command line and the configuration it overrides (docs/config.md).

Managed config first (system file, then user file), then `--set KEY=VALUE` and the few
options that name a config key; what the rest of the application sees is one `Config`.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
from pathlib import Path

from client.config import Config, parse_assignment
from client.config import load_config as load

DESCRIPTION = "Sweepline: the in-cab street-sweeping client."


def parse_args(argv: list[str]) -> argparse.Namespace:
    from client.version import VERSION

    p = argparse.ArgumentParser(prog="sweepline", description=DESCRIPTION)
    p.add_argument("--version", action="version", version=f"sweepline {VERSION}")
    p.add_argument("--demo", action="store_true", help="run the self-contained demo")
    p.add_argument(
        "--demo-supervisor",
        action="store_true",
        help="the demo in supervisor mode: two simulated tablets drive, the supervisor watches",
    )
    p.add_argument("--server", help="backend URL (not with --demo)")
    p.add_argument("--user", help="operator login name to fill in (not with --demo)")
    p.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input and log in without the screen "
        "(provisioning, scripted checks); needs --user",
    )
    p.add_argument("--device-id", default=os.environ.get("SWEEPLINE_DEVICE_ID", ""))
    p.add_argument("--data-dir", type=Path, help="folder for the tablet database")
    p.add_argument("--speed", type=float, default=12.0, help="demo: simulated time speed-up")
    p.add_argument("--seed", type=int, default=1, help="demo: simulator random seed")
    p.add_argument("--screenshot", type=Path, help="save the window to this PNG, then exit")
    p.add_argument("--quit-after", type=float, help="exit after this many seconds")
    p.add_argument("--self-test", action="store_true", help="check this tablet headless, then exit")
    p.add_argument(
        "--startup-check",
        action="store_true",
        help="start as usual, exit once the route is on the map and say how long it took",
    )
    p.add_argument(
        "--export-diagnostics",
        type=Path,
        metavar="ZIP",
        help="write the diagnostics bundle (logs, config, database counts), then exit",
    )
    p.add_argument("--kiosk", action="store_true", help="full screen, no way out but the exit key")
    p.add_argument(
        "--window-size",
        metavar="WIDTHxHEIGHT",
        help="the window's size outside kiosk mode, e.g. 1024x600 (config key window_size)",
    )
    p.add_argument(
        "--theme",
        choices=("auto", "day", "night"),
        default="auto",
        help="screen theme at start (auto: by time of day); the operator can toggle it",
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config key (see docs/config.md); repeatable",
    )
    args = p.parse_args(argv)
    if (args.demo or args.demo_supervisor) and (args.server or args.user):
        p.error("--demo runs its own server; leave out --server and --user")
    if args.demo and args.demo_supervisor:
        p.error("choose --demo or --demo-supervisor")
    if (args.demo or args.demo_supervisor) and not demo_installed():
        p.error(
            "the demo runs the reference server, which this tablet install leaves out; "
            "install it with: pip install 'sweepline[demo]'"
        )
    if args.password_stdin and not args.user:
        p.error("--password-stdin needs --user")
    if args.screenshot and args.quit_after is None:
        p.error("--screenshot needs --quit-after SECONDS")
    return args


def demo_installed() -> bool:
    """A tablet installs without the server (fastapi, uvicorn); only the demo needs it."""
    return all(importlib.util.find_spec(name) is not None for name in ("fastapi", "uvicorn"))


def load_config(args: argparse.Namespace) -> Config:
    """System file, user file, then these command-line options (docs/config.md)."""
    overrides: dict[str, str] = {}
    for text in args.set:
        try:
            name, value = parse_assignment(text)
        except ValueError as exc:
            raise SystemExit(f"sweepline: --set: {exc}") from exc
        overrides[name] = value
    cli: tuple[tuple[str, str | None], ...] = (
        ("server_url", args.server),
        ("device_id", args.device_id),
        ("data_dir", str(args.data_dir.resolve()) if args.data_dir else None),
        ("kiosk", "true" if args.kiosk else None),
        ("window_size", args.window_size),
    )
    for key, given in cli:
        if given:
            overrides[key] = given
    return load(command_line=overrides)


def data_dir_for(args: argparse.Namespace, config: Config) -> Path:
    """The tablet's data folder (created): the config's, or a scratch one for a demo."""
    if args.demo or args.demo_supervisor:
        data_dir: Path = args.data_dir or Path(tempfile.mkdtemp(prefix="sweepline-demo-"))
    else:
        data_dir = config.data_path
    data_dir.mkdir(parents=True, exist_ok=True)
    return data_dir


def read_password_stdin() -> str:
    """`--password-stdin`: the first line of standard input, never echoed, logged or
    stored (the logs redact it)."""
    from client.logs import register_secret

    password = sys.stdin.readline().rstrip("\r\n")
    register_secret(password)
    return password
