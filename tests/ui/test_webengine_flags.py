"""The product's Chromium switches join the flags IT or a test already set, never replace
them, never twice; and QtWebEngine really starts without the unsandboxed zygote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import REPO
from ui.webengine_flags import (
    ENV_VAR,
    PRODUCT_FLAGS,
    apply_webengine_flags,
    merge_flags,
    split_flags,
    switch_name,
)


def test_with_nothing_set_the_product_flags_are_the_flags() -> None:
    env: dict[str, str] = {}
    assert apply_webengine_flags(env) == " ".join(PRODUCT_FLAGS)
    assert env[ENV_VAR] == " ".join(PRODUCT_FLAGS)
    assert "--no-unsandboxed-zygote" in split_flags(env[ENV_VAR])


def test_flags_already_set_are_kept_as_written() -> None:
    existing = '--disable-gpu --js-flags="--max-old-space-size=64 --expose-gc" --v=1'
    env = {ENV_VAR: existing}
    merged = apply_webengine_flags(env)
    assert merged.endswith(existing)
    args = split_flags(merged)
    assert args[-3:] == ["--disable-gpu", "--js-flags=--max-old-space-size=64 --expose-gc", "--v=1"]
    assert "--no-unsandboxed-zygote" in args


def test_a_switch_already_set_is_not_added_again() -> None:
    for existing in ("--disable-gpu --no-unsandboxed-zygote", "-no-unsandboxed-zygote"):
        assert merge_flags(existing) == existing


def test_applying_twice_changes_nothing() -> None:
    env = {ENV_VAR: "--disable-gpu"}
    once = apply_webengine_flags(env)
    assert apply_webengine_flags(env) == once
    names = [switch_name(a) for a in split_flags(once)]
    assert len(names) == len(set(names))


def test_product_switches_go_before_a_bare_double_dash() -> None:
    # after "--" Chromium reads plain arguments, so a switch appended there would be lost
    merged = merge_flags("--disable-gpu -- some-argument")
    args = split_flags(merged)
    assert args.index("--no-unsandboxed-zygote") < args.index("--")


def test_a_product_switch_with_a_space_is_quoted_for_qt() -> None:
    merged = merge_flags("--disable-gpu", ["--js-flags=--a --b", "--disable-gpu"])
    assert split_flags(merged) == ["--js-flags=--a --b", "--disable-gpu"]


def test_split_follows_qtwebengines_parser() -> None:
    assert split_flags('  --a  "--b=x y"  --c="1 2"3 ') == ["--a", "--b=x y", "--c=1 23"]
    assert split_flags("") == []
    assert switch_name("--js-flags=--x") == "js-flags"
    assert switch_name("plain") is None
    assert switch_name("--") is None


def test_os_environ_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "--disable-gpu")
    apply_webengine_flags()
    assert split_flags(os.environ[ENV_VAR]) == ["--no-unsandboxed-zygote", "--disable-gpu"]


PROBE = textwrap.dedent(
    """
    import json, os, sys
    from pathlib import Path
    sys.path.insert(0, sys.argv[1])
    from ui.webengine_flags import apply_webengine_flags
    apply_webengine_flags()
    from PySide6.QtCore import QTimer, QUrl
    from PySide6.QtWebEngineCore import QWebEnginePage
    from PySide6.QtWidgets import QApplication
    app = QApplication(sys.argv[:1])
    page = QWebEnginePage()
    page.loadFinished.connect(lambda ok: app.quit())
    QTimer.singleShot(30_000, app.quit)
    page.load(QUrl("about:blank"))
    app.exec()
    zygotes = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            args = Path(f"/proc/{entry}/cmdline").read_bytes().decode().split("\\0")
        except OSError:
            continue
        if ppid == os.getpid() and "--type=zygote" in args:
            zygotes.append("--no-zygote-sandbox" in args)
    print(json.dumps({"unsandboxed": zygotes}))
    del page
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="zygotes are Linux's")
def test_qtwebengine_starts_without_the_unsandboxed_zygote() -> None:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env[ENV_VAR] = "--disable-gpu"
    if os.geteuid() == 0:
        env["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(REPO)],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=True,
    )
    zygotes = json.loads(done.stdout.strip().splitlines()[-1])["unsandboxed"]
    # one zygote, the sandboxed one the renderers come from
    assert zygotes == [False], done.stderr
