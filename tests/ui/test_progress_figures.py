"""The progress panel's figures: curb-km said as curb-km, the chart scaled to the planned
shift, the speed line coloured by the band each stretch is in."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from coverage.model import Progress
from ui.charts import DONE_COLOUR
from ui.progress_panel import ProgressPanel, planned_hours
from ui.themes import DAY, NIGHT

T0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def test_the_progress_chart_spans_the_planned_shift_not_eight_hours(qtbot: QtBot) -> None:
    panel = ProgressPanel()
    qtbot.addWidget(panel)
    panel.build_charts()
    panel.start_shift(T0, Progress(total_m=2500.0, swept_m=0.0, segments_total=8, segments_swept=0))
    assert panel.progress_chart.plan_hours == planned_hours(2500.0) < 1.0
    x_range = panel.progress_chart.view_range()[0]
    assert x_range[1] < 1.0
    panel.progress_chart.record(T0 + timedelta(hours=2), 2.0)
    assert panel.progress_chart.view_range()[0][1] == 2.0  # late: the axis grows
    assert planned_hours(200_000.0) == 8.0


def test_left_is_in_curb_km_and_the_unit_is_explained(qtbot: QtBot) -> None:
    panel = ProgressPanel()
    qtbot.addWidget(panel)
    panel.set_progress(
        Progress(total_m=4000.0, swept_m=1500.0, segments_total=4, segments_swept=1), 3
    )
    assert panel.left_label.text() == "Left: 2.5 curb-km"
    assert "curb-km" in panel.unit_label.text()
    assert panel.passes_label.text() == "Sweeping passes: 3"


def test_the_speed_line_is_green_in_the_band_and_red_only_above_it(qtbot: QtBot) -> None:
    panel = ProgressPanel()
    qtbot.addWidget(panel)
    panel.build_charts()
    panel.set_theme(DAY)
    speeds = [0.5, 1.0, 6.0, 8.0, 9.0, 15.0, 16.0, 7.0]
    for i, v in enumerate(speeds):
        panel.set_speed(T0 + timedelta(seconds=i), v)
    chart = panel.speed_chart
    assert chart.shown_bands() == {"slow": 2, "band": 4, "fast": 2}
    lines = {line.name: line for line in chart.lines()}
    band_ys = lines["band"].ys
    fast_ys = lines["fast"].ys
    drawn_in_band = [v for v in band_ys if not math.isnan(v)]
    drawn_fast = [v for v in fast_ys if not math.isnan(v)]
    assert {6.0, 8.0, 9.0, 7.0} <= set(drawn_in_band)
    assert all(v > 12.0 for v in drawn_fast[:2])
    assert 8.0 not in drawn_fast
    assert 6.0 not in drawn_fast
    assert lines["band"].colour == DAY.good
    assert lines["fast"].colour == DAY.bad
    panel.set_theme(NIGHT)
    assert {line.name: line.colour for line in chart.lines()}["band"] == NIGHT.good


def test_the_charts_draw_their_lines_in_their_colours(qtbot: QtBot) -> None:
    """Painted, not only computed: the progress line's green and the speed line's band
    colour are in the charts' pixels, and nothing is drawn before `build_charts`."""
    panel = ProgressPanel()
    qtbot.addWidget(panel)
    panel.resize(400, 700)
    panel.set_theme(DAY)
    panel.start_shift(T0, Progress(total_m=5000.0, swept_m=0.0, segments_total=8, segments_swept=0))
    for i in range(120):
        panel.set_speed(T0 + timedelta(seconds=i), 8.0)
        panel.set_progress(
            Progress(total_m=5000.0, swept_m=i * 20.0, segments_total=8, segments_swept=0), 1
        )
    panel.show()
    qtbot.wait_exposed(panel)

    def colours(widget: QWidget) -> set[str]:
        image = widget.grab().toImage()
        return {
            image.pixelColor(x, y).name()
            for x in range(0, image.width(), 2)
            for y in range(0, image.height(), 2)
        }

    assert DAY.good not in colours(panel.speed_chart)
    panel.build_charts()
    assert DONE_COLOUR in colours(panel.progress_chart)
    assert DAY.good in colours(panel.speed_chart)
    assert DAY.bad not in colours(panel.speed_chart)
