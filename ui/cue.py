"""Cue: a short sound when a tap is recorded or a message arrives, so the operator need
not look away from the road to know.

The sounds ship in `resources/sounds/` (made by `make_sounds.py` there). The volume and
an off switch come from the config (`sound_cues`, `sound_volume`, docs/config.md); a
window made without a config stays silent. QtMultimedia loads with the first sound, not
with the window. A tablet with no audio output plays nothing and says so once in the log.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QUrl

log = logging.getLogger("sweepline.ui.cue")

SOUNDS = Path(__file__).resolve().parent.parent / "resources" / "sounds"
CUES = {"tap": SOUNDS / "tap.wav", "message": SOUNDS / "message.wav"}


class Cue(QObject):
    """Plays the named cues; `played` counts what was asked to sound (with sound on)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.enabled = False
        self.volume = 0.0
        self.played: list[str] = []
        self._effects: dict[str, Any] = {}

    def configure(self, *, enabled: bool, volume: float) -> None:
        """The config's `sound_cues` and `sound_volume` (0 to 1)."""
        self.enabled = enabled
        self.volume = min(1.0, max(0.0, volume))
        for effect in self._effects.values():
            effect.setVolume(self.volume)

    def tap(self) -> None:
        """A tap was recorded (an exception, the shift started)."""
        self._play("tap")

    def message(self) -> None:
        """A message from the supervisor arrived."""
        self._play("message")

    def effect(self, name: str) -> Any:
        """The QSoundEffect of cue `name`, made on first use."""
        effect = self._effects.get(name)
        if effect is None:
            from PySide6.QtMultimedia import QSoundEffect

            effect = QSoundEffect(self)
            effect.setSource(QUrl.fromLocalFile(str(CUES[name])))
            effect.setVolume(self.volume)
            self._effects[name] = effect
        return effect

    def _play(self, name: str) -> None:
        if not self.enabled or self.volume <= 0.0:
            return
        self.played.append(name)
        self.effect(name).play()
