"""Work around a PySide6 6.12 bug on CPython 3.11: `SignalInstance.emit()` returns `True`
without taking a reference, so every emit from Python drops one reference to `True` (and
some pyqtgraph paths drop references to `None`). After a few thousand emits — one per GPS
fix through the core bridge, dozens per chart update — the interpreter aborts with
"bool_dealloc: deallocating True or False".

`True`, `False` and `None` are static singletons that CPython never frees, so the fix
is to give them a reference count so large that no shift can use it up (2**40: more than
a trillion emits). On CPython 3.12+ these objects are immortal and the bug is harmless,
so nothing is done there. `install()` is idempotent.
"""

from __future__ import annotations

import ctypes
import sys

_TOP_UP = 1 << 40
_installed = False


def emit_leaks_true() -> bool:
    """Whether this PySide6 drops a reference to True per emit (checked, not assumed)."""
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        fired = Signal()

    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(10):
        probe.fired.emit()
    return sys.getrefcount(True) < before


def install() -> None:
    global _installed
    if _installed or sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return
    _installed = True
    for singleton in (True, False, None):
        ctypes.c_ssize_t.from_address(id(singleton)).value += _TOP_UP
