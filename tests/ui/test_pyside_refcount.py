"""Guard against the PySide6 6.12.0 defect that aborts the interpreter after many emits.

Under CPython 3.11, that release's `SignalInstance.emit()` dropped one reference to
`True` per call; the core bridge emits once per GPS fix, so a shift would crash with
"bool_dealloc". pyproject pins PySide6 below 6.12; this fails if a release with the
defect is installed again.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from pytestqt.qtbot import QtBot


class _Emitter(QObject):
    fired = Signal(object)


def test_emitting_signals_keeps_reference_counts(qtbot: QtBot) -> None:
    emitter = _Emitter()
    received: list[object] = []
    emitter.fired.connect(received.append)
    true_before, none_before = sys.getrefcount(True), sys.getrefcount(None)
    for i in range(2_000):
        emitter.fired.emit(i)
    assert len(received) == 2_000
    # a little slack for unrelated objects created meanwhile; the defect loses 2,000
    assert sys.getrefcount(True) >= true_before - 50
    assert sys.getrefcount(None) >= none_before - 50
