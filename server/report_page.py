"""The daily pilot report as one printable HTML page: tables and static SVG charts for
completion by route and district, curb-km per hour, exceptions by type (and on the
folium map), feedback and survey ratings, and each tablet's data freshness."""

from __future__ import annotations

from html import escape
from typing import Any

from server.evidence_page import EXCEPTION, NOT_SWEPT, SWEPT, local
from server.html_page import folium_map, page, table
from server.page_text import fill, kind_label, words
from server.svg_chart import bar_chart

MAP_LEGEND = "Map: streets of the day's routes (green swept) and exceptions (red)."
COMMENTS_SHOWN = 20


def _delay(seconds: object) -> str:
    if not isinstance(seconds, int | float):
        return "—"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def report_html(report: dict[str, Any], lang: str) -> str:
    t = words(lang)
    routes = report["routes"]
    head = (
        f"<h1>{escape(t('Daily pilot report'))}</h1>"
        + '<p class="sub">'
        + escape(
            fill(
                t("%1 · %2 routes assigned · %3 curb-km swept"),
                report["date"],
                len(routes),
                f"{report['curb_km_total']:.2f}",
            )
        )
        + "</p>"
        + f"<h2>{escape(t('Completion by route'))}</h2>"
        + bar_chart(
            [r["name"] for r in routes], [r["pct"] for r in routes], unit=" %", empty="", top=100
        )
        + table(
            [t("Route"), t("Operators"), t("Swept"), "%"],
            [
                [
                    r["name"],
                    ", ".join(r["operators"]),
                    f"{r['swept_m'] / 1000:.2f} / {r['length_m'] / 1000:.2f} km",
                    r["pct"],
                ]
                for r in routes
            ],
            t("No route was assigned this day."),
        )
        + f"<h2>{escape(t('Completion by district'))}</h2>"
        + table(
            [t("District"), t("Swept"), "%"],
            [
                [d["name"], f"{d['swept_m'] / 1000:.2f} / {d['length_m'] / 1000:.2f} km", d["pct"]]
                for d in report["districts"]
            ],
            t("No district is imported."),
        )
        + f"<h2>{escape(t('Curb-km per hour'))} (UTC)</h2>"
        + bar_chart(
            [f"{h}:00" for h in report["curb_km_by_hour"]],
            list(report["curb_km_by_hour"].values()),
            unit=" km",
            empty=t("Nothing was swept this day."),
        )
        + f"<h2>{escape(t('Exceptions by type'))}</h2>"
        + bar_chart(
            [kind_label(k, t) for k in report["exceptions_by_kind"]],
            [float(v) for v in report["exceptions_by_kind"].values()],
            empty=t("No exception this day."),
        )
        + f'<p class="sub">{escape(t(MAP_LEGEND))}</p>'
    )
    fmap = folium_map(
        [
            (line["coords"], SWEPT if line["swept"] else NOT_SWEPT, line["street"] or "", 4.0)
            for line in report["route_lines"]
        ],
        [
            (
                float(e["lat"]),
                float(e["lon"]),
                EXCEPTION,
                f"{kind_label(e['kind'], t)} · {local(e['time'])}",
            )
            for e in report["exceptions"]
            if e["lat"] is not None and e["lon"] is not None
        ],
    )
    ratings = report["ratings"]
    after = (
        f"<h2>{escape(t('Operator feedback and survey'))}</h2>"
        + table(
            [t("Question"), t("Mean rating"), t("Answers")],
            [[r["label"], r["mean"], r["count"]] for r in ratings],
            t("No feedback this day.") if not report["feedback_count"] else "",
        )
        + table(
            [t("When"), t("Operator"), t("Comments")],
            [
                [local(c["time"]), c["username"], c["text"]]
                for c in report["comments"][:COMMENTS_SHOWN]
            ],
            "",
        )
        + f"<h2>{escape(t('Data freshness per tablet'))}</h2>"
        + table(
            [
                t("Tablet"),
                t("Vehicle"),
                t("Operator"),
                t("Facts received"),
                t("Last received"),
                t("Median delay"),
                t("Longest delay"),
            ],
            [
                [
                    f["device_id"],
                    f["vehicle"] or "",
                    f["username"],
                    f["facts"],
                    local(f["last_received_at"]),
                    _delay(f["median_delay_s"]),
                    _delay(f["max_delay_s"]),
                ]
                for f in report["freshness"]
            ],
            t("No tablet sent data this day."),
        )
    )
    return page(f"{t('Daily pilot report')} {report['date']}", lang, head, fmap, after)
