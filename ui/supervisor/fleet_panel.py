"""The fleet table (vehicle, operator, route, progress, last fix and last sync ages,
live/delayed and whether the tablet had to replace its database, facts waiting on the
tablet as it last reported) with the connection line above it and reassignment below it."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from staff.fleet import FleetFeed, VehicleWaiting
from ui.supervisor.common import DELAYED_COLOUR, LIVE_COLOUR, age, cell, make_table, plain_label

COLUMNS = ["Vehicle", "Operator", "Route", "Progress", "Last fix", "Last sync", "Status", "Waiting"]
STATUS_COLUMN = COLUMNS.index("Status")
WAITING_COLUMN = COLUMNS.index("Waiting")


def waiting_text(waiting: VehicleWaiting | None) -> str:
    """`—` when never reported, `0`, or `12 (3 ev, 9 fix)` (events, GPS fixes)."""
    if waiting is None:
        return "—"
    if waiting.total == 0:
        return "0"
    return (
        QCoreApplication.translate("FleetPanel", "%1 (%2 ev, %3 fix)")
        .replace("%1", str(waiting.total))
        .replace("%2", str(waiting.events))
        .replace("%3", str(waiting.gps))
    )


def waiting_tip(waiting: VehicleWaiting | None) -> str:
    if waiting is None:
        return QCoreApplication.translate(
            "FleetPanel", "The tablet has not reported how many facts it is holding."
        )
    return (
        QCoreApplication.translate(
            "FleetPanel",
            "%1 events and %2 GPS fixes were waiting on the tablet when it last pushed.",
        )
        .replace("%1", str(waiting.events))
        .replace("%2", str(waiting.gps))
    )


class FleetPanel(QWidget):
    vehicle_selected = Signal(str)  # device id
    # the selected vehicle's device id, the device that takes the route, operator ("": same)
    reassign_requested = Signal(str, str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.connection = plain_label(name="fleetConnection")
        self.table = make_table(
            [
                self.tr("Vehicle"),
                self.tr("Operator"),
                self.tr("Route"),
                self.tr("Progress"),
                self.tr("Last fix"),
                self.tr("Last sync"),
                self.tr("Status"),
                self.tr("Waiting"),
            ],
            name="fleetTable",
        )
        self.table.itemSelectionChanged.connect(self._on_table_selection)

        box = QGroupBox(self.tr("Reassign the selected vehicle's route"))
        self.device = QComboBox()
        self.device.setEditable(True)
        self.device.setObjectName("reassignDevice")
        self.operator = QComboBox()
        self.operator.setEditable(True)
        self.operator.setObjectName("reassignOperator")
        self.reassign_button = QPushButton(self.tr("Reassign"))
        self.reassign_button.setObjectName("reassignButton")
        self.reassign_button.clicked.connect(self._on_reassign_clicked)
        self.reassign_result = plain_label(name="reassignResult")
        form = QFormLayout(box)
        form.addRow(self.tr("To device"), self.device)
        form.addRow(self.tr("Operator (blank: unchanged)"), self.operator)
        row = QHBoxLayout()
        row.addWidget(self.reassign_button)
        row.addWidget(self.reassign_result, 1)
        form.addRow(row)

        layout = QVBoxLayout(self)
        layout.addWidget(self.connection)
        layout.addWidget(self.table, 1)
        layout.addWidget(box)
        self._order: list[str] = []

    def selected_device(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self._order[rows[0].row()] if rows[0].row() < len(self._order) else None

    def select_device(self, device_id: str) -> None:
        if device_id in self._order:
            self.table.selectRow(self._order.index(device_id))

    def show_fleet(self, feed: FleetFeed) -> None:
        """Redraw from the feed (called on every change and once a second for the ages)."""
        if feed.stream_up:
            self.connection.setText(self.tr("Live: updates arrive as the tablets sync."))
            self.connection.setStyleSheet(f"color: {LIVE_COLOUR.name()}; font-weight: bold;")
        else:
            why = feed.last_error or self.tr("connecting")
            self.connection.setText(
                self.tr(
                    "Delayed: the live stream is down (%1); polling every %2 s and reconnecting."
                )
                .replace("%1", why)
                .replace("%2", f"{feed.poll_interval_s:.0f}")
            )
            self.connection.setStyleSheet(f"color: {DELAYED_COLOUR.name()}; font-weight: bold;")
        selected = self.selected_device()
        order = sorted(feed.vehicles, key=lambda d: (feed.vehicles[d].vehicle, d))
        self.table.blockSignals(True)
        try:
            self.table.setRowCount(len(order))
            for row, device_id in enumerate(order):
                v = feed.vehicles[device_id]
                live = feed.is_live(device_id)
                fix_age = feed.age_s(v.last_fix.received_at) if v.last_fix else None
                values = [
                    f"{v.vehicle} ({v.device_id})",
                    v.username,
                    v.route_name or v.route_id,
                    self.tr("%1 % (%2 of %3 km)")
                    .replace("%1", f"{v.pct:.0f}")
                    .replace("%2", f"{v.swept_m / 1000:.1f}")
                    .replace("%3", f"{v.length_m / 1000:.1f}"),
                    age(fix_age),
                    age(feed.age_s(v.last_sync)),
                    (self.tr("● live") if live else self.tr("● delayed"))
                    + (self.tr(" · ⚠ tablet database replaced") if v.alert else ""),
                    waiting_text(v.waiting),
                ]
                for col, value in enumerate(values):
                    colour = None
                    if col == STATUS_COLUMN:
                        colour = LIVE_COLOUR if live else DELAYED_COLOUR
                    item = cell(value, key=device_id, colour=colour)
                    if col == WAITING_COLUMN:
                        item.setToolTip(waiting_tip(v.waiting))
                    if col == STATUS_COLUMN and v.alert:
                        item.setToolTip(v.alert)
                    self.table.setItem(row, col, item)
            self._order = order
            if selected in order:
                self.table.selectRow(order.index(selected))
        finally:
            self.table.blockSignals(False)
        for combo, values in (
            (self.device, sorted(feed.vehicles)),
            (self.operator, ["", *sorted({v.username for v in feed.vehicles.values()})]),
        ):
            current = combo.currentText()
            known = [combo.itemText(i) for i in range(combo.count())]
            if known != values:
                combo.clear()
                combo.addItems(values)
                combo.setEditText(current)

    def _on_table_selection(self) -> None:
        device_id = self.selected_device()
        if device_id is not None:
            self.vehicle_selected.emit(device_id)

    def _on_reassign_clicked(self) -> None:
        device_id = self.selected_device()
        target = self.device.currentText().strip()
        if device_id is None:
            self.reassign_result.setText(self.tr("Select the vehicle whose route moves first."))
            return
        if not target:
            self.reassign_result.setText(self.tr("Name the device that takes the route."))
            return
        self.reassign_requested.emit(device_id, target, self.operator.currentText().strip())
