"""The coverage rule of the `kitchener-2023` profile as a plain batch computation with
shapely: the oracle the live engine is checked against.

Written to read like COVERAGE.md and docs/coverage.md, not to be fast: the whole track is
buffered once and every segment's buffer is intersected with it. The City's published
steps are kept (trim, buffer, passes, the 36 % area test); the safeguards every profile
must hold since issue 18 are written out here again, independently of the engine's
incremental code: fixes reporting an error above the profile's bound are dropped; the
track breaks at a gap longer, in time or in straight-line length, than the source allows;
a piece is sweeping when the displacement over the source's speed window (from the
latest fix at least that old) is inside the band; and a sweeping pass counts the
distinct stretch of the trimmed line travelled inside the street band, per direction.
Both this and the live engine use the same local projection, so they differ only in
how they compute, not where.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString
from shapely.ops import substring

from coverage.engine import CoverageEngine
from coverage.geo import LocalProjection, line_length_m
from coverage.model import Fix, Route, Segment
from coverage.profiles import KITCHENER_2023, SOURCE_BOUNDS, CoverageProfile, FixSource


@dataclass(frozen=True, slots=True)
class OracleResult:
    passes: int
    sweeping_passes: int
    area_fraction: float
    pass_ratio: float
    extent_ratios: tuple[float, float]  # travelled at sweeping speed: with, against
    swept: bool


def split_tracks(
    fixes: Iterable[Fix],
    projection: LocalProjection,
    profile: CoverageProfile = KITCHENER_2023,
    source: FixSource = FixSource.RECEIVER,
) -> list[list[Fix]]:
    """The trusted tracks: accurate fixes, split wherever a gap is too long or too far."""
    bounds = SOURCE_BOUNDS[source]
    tracks: list[list[Fix]] = []
    for fix in fixes:
        accuracy = profile.unknown_accuracy_m if fix.accuracy_m is None else fix.accuracy_m
        if accuracy > profile.max_accuracy_m:
            continue
        if tracks:
            last = tracks[-1][-1]
            dt = (fix.t - last.t).total_seconds()
            if dt <= 0:
                continue
            gap_m = math.dist(
                projection.to_xy(last.lon, last.lat), projection.to_xy(fix.lon, fix.lat)
            )
            if dt <= bounds.max_gap_s and gap_m <= bounds.max_gap_m:
                tracks[-1].append(fix)
                continue
        tracks.append([fix])
    return tracks


def _sweeping_pieces(
    track: Sequence[Fix], xy: Sequence[tuple[float, float]], profile: CoverageProfile, window: float
) -> list[LineString]:
    """1. Activity: the displacement over the window, from the latest fix at least
    `window` seconds old, must be within the sweeping band."""
    lo, hi = profile.min_speed_kmh / 3.6, profile.max_speed_kmh / 3.6
    out = []
    for i in range(1, len(track)):
        start = None
        for j in range(i - 1, -1, -1):
            if (track[i].t - track[j].t).total_seconds() >= window:
                start = j
                break
        if start is None:
            continue
        speed = math.dist(xy[start], xy[i]) / (track[i].t - track[start].t).total_seconds()
        if lo <= speed <= hi and xy[i - 1] != xy[i]:
            out.append(LineString([xy[i - 1], xy[i]]))
    return out


def _extents(trimmed: LineString, band: shapely.Polygon, pieces: np.ndarray) -> list[float]:
    """Per direction (with, against the digitised line): the length of the union of the
    stretches of `trimmed` that the parts of `pieces` inside `band` project onto."""
    intervals: list[list[tuple[float, float]]] = [[], []]
    if len(pieces) == 0:
        return [0.0, 0.0]
    clipped = shapely.intersection(pieces, band)
    hit = ~shapely.is_empty(clipped)
    for piece, part_set in zip(pieces[hit], clipped[hit], strict=True):
        for part in shapely.get_parts(part_set):
            if not isinstance(part, LineString) or part.length == 0:
                continue
            p0, p1 = shapely.points(part.coords[0]), shapely.points(part.coords[-1])
            if piece.project(p0) > piece.project(p1):  # keep the piece's own direction
                p0, p1 = p1, p0
            a, b = trimmed.project(p0), trimmed.project(p1)
            if a != b:
                intervals[0 if b > a else 1].append((min(a, b), max(a, b)))
    totals = []
    for side in intervals:
        total, cur_lo, cur_hi = 0.0, -math.inf, -math.inf
        for lo, hi in sorted(side):
            if lo > cur_hi:
                total += max(0.0, cur_hi - cur_lo) if cur_hi > -math.inf else 0.0
                cur_lo, cur_hi = lo, hi
            else:
                cur_hi = max(cur_hi, hi)
        if cur_hi > -math.inf:
            total += cur_hi - cur_lo
        totals.append(total)
    return totals


def kitchener_oracle(
    segments: Sequence[Segment],
    tracks: Sequence[Sequence[Fix]],
    projection: LocalProjection,
    *,
    excluded: frozenset[str] = frozenset(),
    profile: CoverageProfile = KITCHENER_2023,
    source: FixSource = FixSource.RECEIVER,
) -> dict[str, OracleResult]:
    window = SOURCE_BOUNDS[source].speed_window_s
    lines: list[LineString] = []
    on_lines: list[LineString] = []
    for track in tracks:
        if len(track) < 2:
            continue
        xy = [projection.to_xy(f.lon, f.lat) for f in track]
        lines.append(LineString(xy))
        on_lines += _sweeping_pieces(track, xy, profile, window)
    track_line = MultiLineString(lines)
    # 4. the track buffered by 10 m
    track_buffer = track_line.buffer(profile.track_buffer_m)
    on_pieces = np.array(on_lines, dtype=object)
    results: dict[str, OracleResult] = {}
    for seg in segments:
        if seg.id in excluded:  # 2. provincial roads are excluded
            continue
        line = LineString([projection.to_xy(lon, lat) for lon, lat in seg.coords])
        trim = profile.end_trim_m
        if profile.max_trim_share is not None:
            trim = min(trim, profile.max_trim_share * line.length)
        if line.length <= 2 * trim:
            results[seg.id] = OracleResult(0, 0, 0.0, 0.0, (0.0, 0.0), False)
            continue
        # 2. trimmed 10 m at each end, buffered LANES × 3.3 + 6 m with flat caps
        trimmed = substring(line, trim, line.length - trim)
        buffer = trimmed.buffer(
            max(seg.lanes, 1) * profile.lane_width_m + profile.buffer_extra_m, cap_style="flat"
        )
        # 3. passes: track length inside the buffer / trimmed length, rounded
        inside = sum(buffer.intersection(ln).length for ln in lines)
        ratio = inside / trimmed.length
        passes = math.floor(ratio + 0.5)
        # 3'. sweeping passes: per direction, the distinct stretch travelled at sweeping
        # speed inside the street band (LANES × 3.3 / 2 + 4 m), rounded; at most one each
        band = trimmed.buffer(profile.band_m(seg.lanes), cap_style="flat")
        extents = _extents(trimmed, band, on_pieces)
        on_ratios = (extents[0] / trimmed.length, extents[1] / trimmed.length)
        on_passes = sum(math.floor(r + 0.5) for r in on_ratios)
        # 4. kept only if more than 36 % of the buffer is covered by the track buffer
        fraction = buffer.intersection(track_buffer).area / buffer.area
        # 5. swept: kept, with at least one sweeping pass
        swept = fraction > profile.min_area_fraction and on_passes >= 1
        results[seg.id] = OracleResult(passes, on_passes, fraction, ratio, on_ratios, swept)
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
            f"{100 * o.area_fraction:.1f} %, pass ratio {o.pass_ratio:.3f}, extent ratios "
            f"{o.extent_ratios[0]:.3f}/{o.extent_ratios[1]:.3f} (a ratio near .5 rounds "
            "either way; coverage near 36 % is raster resolution)"
        )
    return 1 - len(disagreements) / max(1, len(oracle)), disagreements
