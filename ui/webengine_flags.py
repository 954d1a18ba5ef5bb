"""The Chromium switches Sweepline gives QtWebEngine, merged into the flags already set.

QtWebEngine reads its Chromium command line once, when its context starts (the first
profile or page after the QApplication exists), from `QTWEBENGINE_CHROMIUM_FLAGS` when
that variable is set (arguments after `--webEngineArgs` are then ignored; main.py gives
the QApplication no arguments anyway). `apply_webengine_flags()` must therefore run
before the QApplication. It adds the product's switches to that variable and keeps
whatever IT or a test already put there (`--disable-gpu`, `--no-sandbox`, a debugging
port): a switch already present is left exactly as set there, and nothing is added
twice, so calling it again changes nothing.

Measured with `benchmarks/shift_memory.py` (a fast 8-hour shift through the real
operator window, Debian 12, PySide6 6.11, software compositing with `--disable-gpu`),
the tree's real footprint (proportional set size, every shared page counted once) is
about 390 MB before these switches. Each switch below says what it saved there; the
candidates that saved nothing measurable were left out and are listed at the end.

- `--no-unsandboxed-zygote`: Chromium starts two zygotes (pre-initialised processes that
  child processes are forked from): the sandboxed one every renderer comes from, and an
  unsandboxed one kept for utility, GPU and network processes. QtWebEngine runs the GPU
  and the network service inside the browser process, and the map page starts no
  utility process, so the second zygote only waits: 52 MB of the summed RSS, 9 MB of
  memory of its own (USS) and about 10 MB of the tree's PSS (measured: 391 → 381 MB and
  398 → 389 MB over two pairs of runs). Without it, a utility process the page might
  ever need is forked and exec'd directly, which Chromium supports (memory-limited
  devices such as Cast run this way); the renderer still comes from the sandboxed
  zygote, with its sandbox, and the renderer sandbox keeps working (checked unprivileged,
  sandbox on). The price, and why Chromium does not do it by default: such a directly
  started helper runs the QtWebEngineProcess on disk, so a package upgrade installed
  under a running app could start a helper of the new version. Sweepline is upgraded
  between shifts, and the map starts none of these helpers.

Measured and left out (no saving beyond run-to-run noise of about ±5 MB):
`--js-flags=--optimize-for-size` and `--js-flags=--jitless` (the page's JavaScript heap
is 5 MB used of 11 MB), `--enable-low-end-device-mode`, `--renderer-process-limit=1`
(there is one page, so one renderer), `--in-process-gpu` (QtWebEngine always sets it),
`MALLOC_ARENA_MAX=2`, and an off-the-record profile without HTTP cache (every resource
comes from the `sweepline:` scheme, which the HTTP cache does not hold). `--single-process`
and `--no-zygote` are not for a product: the first is unsupported, the second needs
`--no-sandbox`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, MutableMapping

ENV_VAR = "QTWEBENGINE_CHROMIUM_FLAGS"

PRODUCT_FLAGS: tuple[str, ...] = ("--no-unsandboxed-zygote",)


def split_flags(value: str) -> list[str]:
    """The arguments QtWebEngine reads from `value`: separated by spaces, double quotes
    group (and are dropped), as QtWebEngine's own parser does."""
    args: list[str] = []
    arg: list[str] = []
    started = quoted = False
    for c in value:
        if c == '"':
            quoted = not quoted
            started = True
        elif c == " " and not quoted:
            if started:
                args.append("".join(arg))
            arg, started = [], False
        else:
            arg.append(c)
            started = True
    if started and arg:
        args.append("".join(arg))
    return args


def switch_name(arg: str) -> str | None:
    """`arg`'s switch name (`--js-flags=--x` → `js-flags`), None for a plain argument.
    Chromium accepts `--name` and `-name` alike on Linux, and names are case-sensitive."""
    if not arg.startswith("-") or arg in ("-", "--"):
        return None
    return arg.lstrip("-").split("=", 1)[0] or None


def _quote(arg: str) -> str:
    return f'"{arg}"' if " " in arg else arg


def merge_flags(existing: str, product: Iterable[str] = PRODUCT_FLAGS) -> str:
    """`existing` with each of `product` added unless its switch is already there.

    The existing text is kept as written (its quoting, its order, even its own
    duplicates). The added switches go in front: a bare `--` in `existing` ends the
    switches, and anything after it would be read as a plain argument.
    """
    present = {name for name in map(switch_name, split_flags(existing)) if name}
    added: list[str] = []
    for flag in product:
        name = switch_name(flag)
        if name is None or name in present:
            continue
        present.add(name)
        added.append(_quote(flag))
    return " ".join([*added, existing.strip()]).strip()


def apply_webengine_flags(environ: MutableMapping[str, str] | None = None) -> str:
    """Merge the product's switches into `QTWEBENGINE_CHROMIUM_FLAGS` (of `os.environ`
    unless `environ` is given) and return the result. Call it before the QApplication."""
    env = os.environ if environ is None else environ
    merged = merge_flags(env.get(ENV_VAR, ""))
    env[ENV_VAR] = merged
    return merged
