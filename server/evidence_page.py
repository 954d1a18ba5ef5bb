"""The street evidence as one printable HTML page (folium map of the segment, the sweeps
with side, vehicle, operator, rule and speeds, and the exceptions reported there)."""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

from server.clock import utc_now
from server.html_page import folium_map, page, table
from server.page_text import fill, kind_label, words

SWEPT = "#1f9d55"
ONE_SIDE = "#e8a317"
NOT_SWEPT = "#5b7fa6"
EXCEPTION = "#c0392b"
MAP_LEGEND = (
    "Map: the segment (green swept on both sides, amber on one, blue not swept), exceptions in red."
)


def local(text: object) -> str:
    """An ISO time as local `YYYY-MM-DD HH:MM`, or "" when there is none."""
    if not isinstance(text, str) or not text:
        return ""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def evidence_html(evidence: dict[str, Any], lang: str) -> str:
    t = words(lang)
    never = t("never")
    profile = evidence["coverage_profile"]
    rule_name = str(profile.get("name") if isinstance(profile, dict) else profile)
    last = evidence["last_swept_by_side"]
    head = (
        f"<h1>{escape(fill(t('%1: %2'), t('Street evidence'), evidence['street'] or '—'))}</h1>"
        + '<p class="sub">'
        + escape(
            fill(
                t("Route %1, segment %2 · %3 m · rule in force: %4"),
                evidence["route_name"],
                evidence["segment_id"],
                f"{evidence['length_m']:.0f}",
                rule_name,
            )
        )
        + "</p>"
        + table(
            [t("Last swept, left curb"), t("Last swept, right curb"), t("Passes")],
            [[local(last["left"]) or never, local(last["right"]) or never, evidence["passes"]]],
            "",
        )
    )
    sides = set(evidence["sides_swept"])
    colour = SWEPT if {"left", "right"} <= sides else ONE_SIDE if sides else NOT_SWEPT
    points = [
        (float(e["lat"]), float(e["lon"]), EXCEPTION, kind_label(str(e["kind"] or ""), t))
        for e in evidence["exceptions"]
        if e["lat"] is not None and e["lon"] is not None
    ]
    fmap = folium_map([(evidence["coordinates"], colour, evidence["street"] or "", 7.0)], points)

    def side(value: object) -> str:
        return t(str(value)) if value in ("left", "right", "both") else t("both")

    def speeds(s: dict[str, Any]) -> str:
        if not s["fixes"]:
            return t("no fix near the segment")
        return fill(
            t("min %1 · median %2 · max %3 (%4 fixes)"),
            s["min_kmh"],
            s["median_kmh"],
            s["max_kmh"],
            s["fixes"],
        )

    sweep_rows = [
        [
            local(s["time"]),
            local(s["claimed_time"]),
            side(s["side"]),
            s["vehicle"] or s["device_id"],
            s["username"],
            t(str(s["source"])) if s["source"] else "",
            " / ".join(x for x in (s["profile"], s["rule"]) if x),
            ", ".join(f"{t(k)} {v:.0f} %" for k, v in sorted(s["extent_pct_by_side"].items())),
            speeds(s["speeds"]),
        ]
        for s in evidence["sweeps"]
    ]
    exception_rows = [
        [
            local(e["time"]),
            side(e["side"]) if e["side"] else "",
            kind_label(e["kind"] or f"not swept: {e['reason'] or ''}", t),
            e["vehicle"] or e["device_id"],
            e["username"],
            e["note"] or "",
        ]
        for e in evidence["exceptions"]
    ]
    after = (
        f'<p class="sub">{escape(t(MAP_LEGEND))}</p>'
        f"<h2>{escape(t('Sweeps'))}</h2>"
        + table(
            [
                t("When"),
                t("Tablet's claimed time"),
                t("Side"),
                t("Vehicle"),
                t("Operator"),
                t("Recorded"),
                t("Rule that decided"),
                t("Extent per side"),
                t("Speed on the segment (km/h)"),
            ],
            sweep_rows,
            t("No sweep recorded on this segment."),
        )
        + f"<h2>{escape(t('Exceptions reported here'))}</h2>"
        + table(
            [t("When"), t("Side"), t("Kind"), t("Vehicle"), t("Operator"), t("Note")],
            exception_rows,
            t("No exception reported on this segment."),
        )
        + '<p class="sub">'
        + escape(
            fill(
                t("Printed %1 from the Sweepline server. Times are local."),
                local(utc_now().isoformat()),
            )
        )
        + "</p>"
    )
    title = fill(t("%1: %2"), t("Street evidence"), evidence["street"] or "—")
    return page(title, lang, head, fmap, after)
