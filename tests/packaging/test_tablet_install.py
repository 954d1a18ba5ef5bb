"""The tablet installs without the city backend: `pip install .` with no extras brings
neither fastapi nor uvicorn, and the installed program runs its self-test.

The install is real (pip builds the wheel from this checkout, offline, into a folder);
the environment it runs in is this test environment's packages minus the backend's
distributions, so nothing the server extra brings can be imported by accident.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import pytest

from server.embedded import EmbeddedServer
from tests.conftest import REPO

# The server extra's distributions (and what they pull in that a tablet never needs).
SERVER_DISTRIBUTIONS = ("fastapi", "starlette", "uvicorn", "argon2-cffi", "argon2-cffi-bindings")


def _top_level_names(distribution: str) -> set[str]:
    files = metadata.distribution(distribution).files or []
    return {Path(str(f)).parts[0] for f in files}


@pytest.fixture(scope="module")
def tablet_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This environment's packages without the server's, as one folder of links."""
    site = tmp_path_factory.mktemp("tablet-site")
    source = Path(metadata.distribution("httpx").locate_file(""))
    left_out = set().union(*(_top_level_names(d) for d in SERVER_DISTRIBUTIONS))
    for entry in source.iterdir():
        # our own editable install is replaced by the real one below
        if entry.name in left_out or entry.name.startswith(("__editable__", "sweepline")):
            continue
        (site / entry.name).symlink_to(entry)
    return site


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("tablet-install")
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index"),
            *("--no-build-isolation", "--target", str(target), str(REPO)),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return target


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with EmbeddedServer(tmp_path_factory.mktemp("server") / "server.sqlite") as url:
        yield url


def run_installed(
    installed: Path, site: Path, home: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "PYTHONPATH": str(site),
        "QT_QPA_PLATFORM": "offscreen",
        "QTWEBENGINE_CHROMIUM_FLAGS": "--disable-gpu",
        "QTWEBENGINE_DISABLE_SANDBOX": "1",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "SWEEPLINE_SYSTEM_CONFIG": str(home / "system.toml"),
        "SWEEPLINE_CONFIG_DIR": str(home / "config"),
    }
    # -S: no site-packages of this environment; the program and its packages come only
    # from the install folder (the script's own) and the filtered site.
    return subprocess.run(
        [sys.executable, "-S", str(installed / "main.py"), *args],
        env=env,
        cwd=home,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_tablet_needs_no_server_package() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {d.split(">")[0].split("[")[0].strip().lower() for d in project["dependencies"]}
    assert not names & {"fastapi", "uvicorn", "starlette", "argon2-cffi"}
    server_extra = " ".join(project["optional-dependencies"]["server"])
    assert "fastapi" in server_extra
    assert "uvicorn" in server_extra


def test_installed_without_extras_runs_its_self_test(
    installed: Path, tablet_site: Path, server_url: str, tmp_path: Path
) -> None:
    probe = run_installed(
        installed,
        tablet_site,
        tmp_path,
        "--version",
    )
    assert probe.returncode == 0, probe.stderr
    missing = subprocess.run(
        [sys.executable, "-S", "-c", "import fastapi"],
        env={"PYTHONPATH": str(tablet_site)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert "No module named 'fastapi'" in missing.stderr

    done = run_installed(
        installed,
        tablet_site,
        tmp_path,
        "--self-test",
        "--set",
        "gps_source=simulator",
        "--server",
        server_url,
        "--device-id",
        "tablet-7",
        "--data-dir",
        str(tmp_path / "data"),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[1] for line in lines[1:-1]] == [
        "config", "database", "keyring", "gps", "server", "clock", "map"
    ]  # fmt: skip
    assert lines[-1] == "self-test all checks passed"


def test_the_demo_says_how_to_install_the_server(
    installed: Path, tablet_site: Path, tmp_path: Path
) -> None:
    done = run_installed(installed, tablet_site, tmp_path, "--demo")
    assert done.returncode == 2
    assert "pip install 'sweepline[demo]'" in done.stderr
    assert "Traceback" not in done.stderr
