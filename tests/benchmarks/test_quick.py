"""Every benchmark runs here at a tiny size (`--quick`), whole path included (real server
process, real window), so a script nobody runs at full size between releases cannot rot
unseen: it must exit 0 and end with its JSON line, whose keys are the ones it declares
(`RESULT_KEYS`) and its docstring explains."""

from __future__ import annotations

import ast
import json
import os
import re
import signal
import subprocess
import sys

import pytest

from tests.conftest import REPO

BENCHMARKS = REPO / "benchmarks"
# Imported by the benchmarks, not run on their own.
HELPERS = frozenset({"server_process", "city_db", "tree_memory", "bare_map"})
QUICK = (
    "city_scale",
    "coverage_throughput",
    "live_latency",
    "map_render",
    "scaling",
    "server_load",
    "shift_memory",
    "startup",
    "stream_fanout",
    "sync_drain",
    "ui_responsiveness",
)
# A quick run takes well under a minute; the margin is for a busy CI machine. The run is
# stopped before pytest-timeout would fire, so the failure shows the script's output.
RUN_TIMEOUT_S = 150
# Headless Qt and QtWebEngine, as CI runs them; values already set are kept.
QT_ENV = {"QT_QPA_PLATFORM": "offscreen", "QTWEBENGINE_CHROMIUM_FLAGS": "--disable-gpu"}
TAIL_CHARS = 4000


def _module(name: str) -> ast.Module:
    return ast.parse((BENCHMARKS / f"{name}.py").read_text(encoding="utf-8"))


def result_keys(module: ast.Module) -> tuple[str, ...]:
    """The script's `RESULT_KEYS`, read from its source: importing some scripts starts
    QtWebEngine."""
    for node in module.body:
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id == "RESULT_KEYS"
            and node.value is not None
        ):
            keys = ast.literal_eval(node.value)
            assert isinstance(keys, tuple), "RESULT_KEYS is not a tuple"
            assert all(isinstance(k, str) for k in keys), "RESULT_KEYS holds a non-string"
            return keys
    pytest.fail("no module-level `RESULT_KEYS: tuple[str, ...] = (...)`")


def quick_env() -> dict[str, str]:
    env = dict(os.environ)
    for name, value in QT_ENV.items():
        env.setdefault(name, value)
    if os.geteuid() == 0:  # Chromium refuses its sandbox as root
        env.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    return env


def run_quick(name: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of `NAME.py --quick`. Its own session, so a run that
    hangs is ended with everything it started (its server, QtWebEngine's processes)."""
    with subprocess.Popen(
        [sys.executable, str(BENCHMARKS / f"{name}.py"), "--quick"],
        cwd=REPO,
        env=quick_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        start_new_session=True,
    ) as proc:
        try:
            out, err = proc.communicate(timeout=RUN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            pytest.fail(
                f"{name}.py --quick ran over {RUN_TIMEOUT_S} s\n"
                f"stdout:\n{out[-TAIL_CHARS:]}\nstderr:\n{err[-TAIL_CHARS:]}"
            )
    return proc.returncode, out, err


def test_every_benchmark_runs_quick() -> None:
    scripts = {path.stem for path in BENCHMARKS.glob("*.py")}
    assert scripts - HELPERS == set(QUICK), "add the new benchmark to QUICK (or to HELPERS)"
    assert scripts >= HELPERS, "a helper is gone: drop it from HELPERS"


@pytest.mark.timeout(RUN_TIMEOUT_S + 30)
@pytest.mark.parametrize("name", QUICK)
def test_quick_run_prints_the_declared_keys(name: str) -> None:
    module = _module(name)
    keys = result_keys(module)
    assert len(set(keys)) == len(keys), f"RESULT_KEYS repeats a key: {keys}"
    doc = ast.get_docstring(module) or ""
    undocumented = [k for k in keys if not re.search(rf"[`\"]{re.escape(k)}[`\"]", doc)]
    assert not undocumented, f"the docstring does not name {undocumented} (as `key`)"

    code, out, err = run_quick(name)
    assert code == 0, f"{name}.py --quick exited {code}; stderr:\n{err[-TAIL_CHARS:]}"
    lines = [line for line in out.splitlines() if line.strip()]
    assert lines, f"{name}.py --quick printed nothing; stderr:\n{err[-TAIL_CHARS:]}"
    result = json.loads(lines[-1])
    assert isinstance(result, dict), lines[-1]
    missing = [k for k in keys if k not in result]
    assert not missing, f"the JSON line lacks {missing}: {lines[-1]}"
    undeclared = [k for k in result if k not in keys]
    assert not undeclared, f"the JSON line has keys not in RESULT_KEYS: {undeclared}"
