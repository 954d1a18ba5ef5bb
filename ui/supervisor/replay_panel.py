"""The Replay tab: pick a vehicle and a time range, load what the server recorded, and
play it — the track, segments turning swept, exceptions appearing — at an adjustable
speed, or drag the slider to any moment. The window draws each frame on the map."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QDateTime, Qt, QTime, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QListWidget,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from staff.replay import Frame, Recording
from ui.supervisor.common import named, plain_label

TICK_MS = 100
SLIDER_STEPS = 1000
SPEEDS = (1, 10, 60, 300, 1200)


class ReplayPanel(QWidget):
    # device id, start and end (epoch seconds)
    load_requested = Signal(str, float, float)
    frame_changed = Signal(object)  # Frame

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vehicle = named(QComboBox(), "replayVehicle")
        self.start = named(QDateTimeEdit(), "replayStart")
        self.end = named(QDateTimeEdit(), "replayEnd")
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        now = QDateTime.currentDateTime()
        self.start.setDateTime(QDateTime(now.date(), QTime(0, 0)))
        self.end.setDateTime(now)
        self.speed = named(QComboBox(), "replaySpeed")
        for speed in SPEEDS:
            self.speed.addItem(f"× {speed}", speed)
        self.speed.setCurrentIndex(2)
        self.load_button = named(QPushButton(self.tr("Load")), "replayLoad")
        self.load_button.clicked.connect(self._on_load_clicked)
        self.play_button = named(QPushButton(self.tr("Play")), "replayPlay")
        self.play_button.setEnabled(False)
        self.play_button.clicked.connect(self.toggle)
        self.slider = named(QSlider(), "replaySlider")
        self.slider.setOrientation(Qt.Orientation.Horizontal)
        self.slider.setRange(0, SLIDER_STEPS)
        self.slider.setEnabled(False)
        self.slider.valueChanged.connect(self._on_slider_moved)
        self.clock = plain_label(self.tr("Nothing loaded."), name="replayClock")
        self.events = named(QListWidget(), "replayEvents")

        form = QFormLayout()
        form.addRow(self.tr("Vehicle"), self.vehicle)
        form.addRow(self.tr("From"), self.start)
        form.addRow(self.tr("To"), self.end)
        form.addRow(self.tr("Speed"), self.speed)
        buttons = QHBoxLayout()
        buttons.addWidget(self.load_button)
        buttons.addWidget(self.play_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.slider)
        layout.addWidget(self.clock)
        layout.addWidget(self.events, 1)

        self.recording: Recording | None = None
        self.frame: Frame | None = None
        self.now = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._on_tick)

    def set_vehicles(self, vehicles: list[tuple[str, str]]) -> None:
        """(device id, label) of the vehicles one can replay; keeps the current choice."""
        current = self.vehicle.currentData()
        self.vehicle.blockSignals(True)
        self.vehicle.clear()
        for device_id, label in vehicles:
            self.vehicle.addItem(label, device_id)
        if current is not None and self.vehicle.findData(current) >= 0:
            self.vehicle.setCurrentIndex(self.vehicle.findData(current))
        self.vehicle.blockSignals(False)

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    def set_recording(self, recording: Recording) -> None:
        """A loaded recording: shown at its start, ready to play."""
        self.stop()
        self.recording = recording
        self.play_button.setEnabled(True)
        self.slider.setEnabled(True)
        self.clock.setText(
            self.tr("%1 fixes, %2 events loaded.")
            .replace("%1", str(len(recording.track)))
            .replace("%2", str(len(recording.happenings)))
        )
        self.seek(recording.start)

    def seek(self, t: float) -> None:
        """Show the recording at `t` (epoch seconds)."""
        if self.recording is None:
            return
        rec = self.recording
        self.now = min(max(t, rec.start), rec.end)
        span = rec.end - rec.start
        self.slider.blockSignals(True)
        self.slider.setValue(round((self.now - rec.start) / span * SLIDER_STEPS) if span else 0)
        self.slider.blockSignals(False)
        self.frame = rec.state_at(self.now)
        when = datetime.fromtimestamp(self.now).strftime("%Y-%m-%d %H:%M:%S")
        self.clock.setText(
            self.tr("%1 · %2 segments swept · %3 exceptions")
            .replace("%1", when)
            .replace("%2", str(len(self.frame.swept)))
            .replace("%3", str(len(self.frame.exceptions)))
        )
        shown = [
            f"{datetime.fromtimestamp(h.t).strftime('%H:%M:%S')}  {h.kind}  {h.segment_id}"
            for h in rec.happenings
            if h.t <= self.now
        ]
        if self.events.count() != len(shown):
            self.events.clear()
            self.events.addItems(shown)
            self.events.scrollToBottom()
        self.frame_changed.emit(self.frame)

    def toggle(self) -> None:
        if self.playing:
            self.stop()
        elif self.recording is not None:
            if self.now >= self.recording.end:
                self.seek(self.recording.start)
            self._timer.start()
            self.play_button.setText(self.tr("Pause"))

    def stop(self) -> None:
        self._timer.stop()
        self.play_button.setText(self.tr("Play"))

    def _on_tick(self) -> None:
        if self.recording is None:
            self.stop()
            return
        step = TICK_MS / 1000 * float(self.speed.currentData() or 1)
        self.seek(self.now + step)
        if self.now >= self.recording.end:
            self.stop()

    def _on_slider_moved(self, value: int) -> None:
        if self.recording is not None:
            rec = self.recording
            self.seek(rec.start + (rec.end - rec.start) * value / SLIDER_STEPS)

    def _on_load_clicked(self) -> None:
        device_id = self.vehicle.currentData()
        if not isinstance(device_id, str):
            self.clock.setText(self.tr("Choose a vehicle first."))
            return
        start = self.start.dateTime().toSecsSinceEpoch()
        end = self.end.dateTime().toSecsSinceEpoch()
        if end <= start:
            self.clock.setText(self.tr("The end of the range must be after its start."))
            return
        self.clock.setText(self.tr("Loading…"))
        self.load_requested.emit(device_id, float(start), float(end))
