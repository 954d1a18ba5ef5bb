"""The City of Kitchener's 2023 rule as a plain batch computation with shapely: the oracle.

Written to read like COVERAGE.md, not to be fast: the whole track is buffered once and
every segment's buffer is intersected with it. Both this and the live engine use the
same local projection, so they differ only in how they compute, not where.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely.geometry import LineString, MultiLineString
from shapely.ops import substring

from coverage.engine import CoverageEngine
from coverage.geo import LocalProjection, line_length_m
from coverage.model import Fix, Route, Segment
from coverage.profiles import KITCHENER_2023, Activity, CoverageProfile, classify


@dataclass(frozen=True, slots=True)
class OracleResult:
    passes: int
    sweeping_passes: int
    area_fraction: float
    pass_ratio: float
    sweeping_ratio: float
    swept: bool


def split_tracks(fixes: Iterable[Fix], max_gap_s: float) -> list[list[Fix]]:
    tracks: list[list[Fix]] = []
    for fix in fixes:
        if tracks and tracks[-1]:
            dt = (fix.t - tracks[-1][-1].t).total_seconds()
            if dt <= 0:
                continue
            if dt <= max_gap_s:
                tracks[-1].append(fix)
                continue
        tracks.append([fix])
    return tracks


def kitchener_oracle(
    segments: Sequence[Segment],
    tracks: Sequence[Sequence[Fix]],
    projection: LocalProjection,
    *,
    excluded: frozenset[str] = frozenset(),
    profile: CoverageProfile = KITCHENER_2023,
) -> dict[str, OracleResult]:
    lines: list[LineString] = []
    on_lines: list[LineString] = []
    for track in tracks:
        if len(track) < 2:
            continue
        xy = [projection.to_xy(f.lon, f.lat) for f in track]
        lines.append(LineString(xy))
        # 1. activity per pair of fixes: raw speed and a 3-point (trailing) moving median
        raw: list[float] = []
        for i in range(1, len(track)):
            dt = (track[i].t - track[i - 1].t).total_seconds()
            raw.append(math.dist(xy[i - 1], xy[i]) / dt)
            median = statistics.median(raw[-3:])
            if classify(raw[-1], median, profile) is Activity.ON and raw[-1] > 0:
                on_lines.append(LineString([xy[i - 1], xy[i]]))
    track_line = MultiLineString(lines)
    # 4. the track buffered by 10 m
    track_buffer = track_line.buffer(profile.track_buffer_m)
    results: dict[str, OracleResult] = {}
    for seg in segments:
        if seg.id in excluded:  # 2. provincial roads are excluded
            continue
        line = LineString([projection.to_xy(lon, lat) for lon, lat in seg.coords])
        trim = profile.end_trim_m
        if line.length <= 2 * trim:
            results[seg.id] = OracleResult(0, 0, 0.0, 0.0, 0.0, False)
            continue
        # 2. trimmed 10 m at each end, buffered LANES × 3.3 + 6 m with flat caps
        trimmed = substring(line, trim, line.length - trim)
        buffer = trimmed.buffer(
            max(seg.lanes, 1) * profile.lane_width_m + profile.buffer_extra_m, cap_style="flat"
        )
        # 3. passes: track length inside the buffer / trimmed length, rounded
        inside = sum(buffer.intersection(ln).length for ln in lines)
        inside_on = (
            shapely.intersection(buffer, MultiLineString(on_lines)).length if on_lines else 0.0
        )
        ratio, on_ratio = inside / trimmed.length, inside_on / trimmed.length
        passes, on_passes = math.floor(ratio + 0.5), math.floor(on_ratio + 0.5)
        # 4. kept only if more than 36 % of the buffer is covered by the track buffer
        fraction = buffer.intersection(track_buffer).area / buffer.area
        # 5. swept: kept, with at least one sweeping pass
        swept = fraction > profile.min_area_fraction and on_passes >= 1
        results[seg.id] = OracleResult(passes, on_passes, fraction, ratio, on_ratio, swept)
    return results


# -- the real networks the oracle is checked on ---------------------------------------------

DATA = Path(__file__).resolve().parent.parent / "data"
WATERLOO_ROADS = DATA.parent.parent / "resources" / "demo" / "waterloo_uw_uptown_2017_roads.geojson"
GRT_SHAPES = DATA / "kitchener_waterloo" / "grt_shapes_uptown.geojson"
CAMBRIDGE = DATA / "cambridge_ma" / "centerlines_sweep_district.geojson"


def waterloo_network() -> Route:
    """The 444 drivable OpenStreetMap ways of Uptown Waterloo, one segment each."""
    segments = []
    for f in json.loads(WATERLOO_ROADS.read_text(encoding="utf-8"))["features"]:
        coords = tuple((float(x), float(y)) for x, y in f["geometry"]["coordinates"])
        props = f["properties"]
        lanes_s = str(props.get("lanes") or "2")
        lanes = int(lanes_s) if lanes_s.isdigit() else 2
        segments.append(
            Segment(
                f"osm-{f['id']}",
                props.get("name") or "",
                line_length_m(coords),
                lanes,
                props.get("oneway") == "yes",
                coords,
            )
        )
    return Route("waterloo", "Uptown Waterloo", tuple(segments))


def grt_paths() -> list[list[tuple[float, float]]]:
    """Grand River Transit vehicle paths through Uptown Waterloo (clipped to it)."""
    return [
        [(float(x), float(y)) for x, y in f["geometry"]["coordinates"]]
        for f in json.loads(GRT_SHAPES.read_text(encoding="utf-8"))["features"]
    ]


def cambridge_network(district: str | None = None) -> Route:
    """Cambridge MA street centrelines (2,643), or those of one sweeping district."""
    segments = []
    for f in json.loads(CAMBRIDGE.read_text(encoding="utf-8"))["features"]:
        props = f["properties"]
        if district is not None and props.get("sweep_district") != district:
            continue
        g = f["geometry"]
        parts = [g["coordinates"]] if g["type"] == "LineString" else g["coordinates"]
        part = max(parts, key=len)
        coords = tuple((float(x), float(y)) for x, y in part)
        segments.append(
            Segment(
                str(props["ID"]),
                props.get("Street") or "",
                line_length_m(coords),
                2,
                props.get("Direction") in ("1", "-1"),
                coords,
            )
        )
    return Route(
        f"cambridge-{district or 'all'}", f"Cambridge {district or ''}".strip(), tuple(segments)
    )


def compare(engine: CoverageEngine, oracle: dict[str, OracleResult]) -> tuple[float, list[str]]:
    """Share of segments where status and pass counts agree, and each disagreement."""
    swept = engine.swept_ids()
    disagreements = []
    for sid, o in oracle.items():
        live = engine.passes(sid)
        if (live[0], live[1], sid in swept) == (o.passes, o.sweeping_passes, o.swept):
            continue
        e = engine.explain(sid)
        disagreements.append(
            f"{sid}: live passes {live} swept {sid in swept} coverage {e.coverage_pct} % | "
            f"oracle passes ({o.passes}, {o.sweeping_passes}) swept {o.swept} coverage "
            f"{100 * o.area_fraction:.1f} %, ratios {o.pass_ratio:.3f}/{o.sweeping_ratio:.3f}"
            " (a ratio near .5 rounds either way; coverage near 36 % is raster resolution)"
        )
    return 1 - len(disagreements) / max(1, len(oracle)), disagreements
