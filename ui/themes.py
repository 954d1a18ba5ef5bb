"""Day and night themes for the cab: colours, one style sheet, and automatic choice by time.

Night is dark and low-glare (no large white areas) but keeps the status colours distinct;
day is high-contrast for sunlight. "Auto" follows the clock (day from 07:00 to 19:00), and
the operator can force either with one tap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

DAY_STARTS_H = 7
NIGHT_STARTS_H = 19


class ThemeMode(StrEnum):
    AUTO = "auto"
    DAY = "day"
    NIGHT = "night"


@dataclass(frozen=True, slots=True)
class Theme:
    name: str
    window: str
    panel: str
    text: str
    muted: str
    button: str
    button_text: str
    button_border: str
    checked: str
    checked_text: str
    good: str
    warn: str
    bad: str
    banner: str
    banner_text: str
    chart_bg: str
    chart_fg: str
    band: str


DAY = Theme(
    name="day",
    window="#f4f2ee",
    panel="#ffffff",
    text="#1b1f24",
    muted="#4a4f57",
    button="#e6e9ef",
    button_text="#1b1f24",
    button_border="#6b7380",
    checked="#1b4f8a",
    checked_text="#ffffff",
    good="#1f7a3d",
    warn="#8a5200",
    bad="#b3261e",
    banner="#ffe08a",
    banner_text="#3d2a00",
    chart_bg="#ffffff",
    chart_fg="#1b1f24",
    band="#1f9d5533",
)
NIGHT = Theme(
    name="night",
    window="#14171b",
    panel="#1d2126",
    text="#d8dce2",
    muted="#9aa3ad",
    button="#2a3038",
    button_text="#e6e9ef",
    button_border="#5a6470",
    checked="#3d7cc9",
    checked_text="#ffffff",
    good="#5cc88a",
    warn="#f0b34a",
    bad="#ff7a70",
    banner="#5a4300",
    banner_text="#ffe7a8",
    chart_bg="#1d2126",
    chart_fg="#c9ced6",
    band="#5cc88a40",
)
THEMES = {"day": DAY, "night": NIGHT}


def theme_for(mode: ThemeMode, now: datetime | None = None) -> Theme:
    """The theme `mode` means at `now` (local time)."""
    if mode is ThemeMode.DAY:
        return DAY
    if mode is ThemeMode.NIGHT:
        return NIGHT
    hour = (now or datetime.now()).hour
    return DAY if DAY_STARTS_H <= hour < NIGHT_STARTS_H else NIGHT


def next_mode(mode: ThemeMode) -> ThemeMode:
    """The operator's toggle: auto → day → night → auto."""
    order = [ThemeMode.AUTO, ThemeMode.DAY, ThemeMode.NIGHT]
    return order[(order.index(mode) + 1) % len(order)]


def style_sheet(t: Theme) -> str:
    """The window's style sheet: large type, 64 px buttons, the theme's colours."""
    return f"""
QMainWindow, QDialog, QWidget#OperatorCentral, QWidget#SidePanel, QWidget#LoginScreen {{
    background: {t.window}; color: {t.text};
}}
QLabel {{ color: {t.text}; }}
QLabel[muted="true"] {{ color: {t.muted}; }}
QWidget#TopBar, QWidget#ExceptionBar, QWidget#StatusPanel, QWidget#ProgressPanel {{
    background: {t.panel};
}}
QPushButton {{
    background: {t.button}; color: {t.button_text}; border: 2px solid {t.button_border};
    border-radius: 8px; padding: 4px 10px; min-height: 64px; font-size: 20px;
}}
QPushButton:checked {{ background: {t.checked}; color: {t.checked_text}; }}
QPushButton:disabled {{ color: {t.muted}; border-style: dashed; }}
QPushButton#shift_button {{ font-weight: bold; }}
QPushButton#message_ok {{ background: {t.checked}; color: {t.checked_text}; font-weight: bold; }}
QLineEdit, QPlainTextEdit {{
    background: {t.panel}; color: {t.text}; border: 2px solid {t.button_border};
    font-size: 22px; min-height: 56px; padding: 4px 8px;
}}
QLabel#banner, QWidget#MessageStrip, QLabel#message_text {{
    background: {t.banner}; color: {t.banner_text};
}}
QLabel#banner {{ font-size: 22px; font-weight: bold; padding: 8px 14px; }}
QScrollArea, QScrollArea > QWidget > QWidget {{ background: {t.window}; }}
QProgressBar {{ border: 1px solid {t.button_border}; border-radius: 4px; background: {t.panel}; }}
QProgressBar::chunk {{ background: #1f9d55; }}
"""
