"""How the derived test data here was made from the project's shared data (run by hand).

Usage: python tests/data/derive.py SHARED_DATA_FOLDER (the folder the data README describes)
Copies the NMEA logs unchanged; keeps only the fields the tests use from the Cambridge
centrelines (coordinates rounded to 1e-7 degree, about 1 cm); keeps the Grand River
Transit shapes' longest run of points inside the Uptown Waterloo roads' bounding box.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
NMEA = [
    "genivi_munich-gps_2009-04-01.nmea",
    "genivi_route-for-fake_munich.nmea",
    "gpsbabel_backfilldate2_car_CZ.nmea",
    "LICENSE_GENIVI_log-replayer_MPL-2.0.txt",
    "gpsd_testlogs/ublox-zed-f9p-nmea.log",
    "gpsd_testlogs/COPYING_gpsd",
]
CAMBRIDGE_FIELDS = ("ID", "Street", "Direction", "ROADWAYS", "MajorRoad", "sweep_district")
UPTOWN_BBOX = (-80.5408, 43.4610, -80.5174, 43.4726)


def _round(c: list[float]) -> list[float]:
    return [round(c[0], 7), round(c[1], 7)]


def main(shared: Path) -> None:
    for name in NMEA:
        shutil.copyfile(shared / "nmea" / name, HERE / "nmea" / Path(name).name)
    src = json.loads(
        (shared / "cambridge_ma/cambridge_centerlines_with_sweep_district.geojson").read_text()
    )
    feats = []
    for f in src["features"]:
        g = f["geometry"]
        coords = (
            [_round(c) for c in g["coordinates"]]
            if g["type"] == "LineString"
            else [[_round(c) for c in part] for part in g["coordinates"]]
        )
        feats.append(
            {
                "type": "Feature",
                "properties": {k: f["properties"].get(k) for k in CAMBRIDGE_FIELDS},
                "geometry": {"type": g["type"], "coordinates": coords},
            }
        )
    out = {"type": "FeatureCollection", "features": feats}
    (HERE / "cambridge_ma/centerlines_sweep_district.geojson").write_text(
        json.dumps(out, separators=(",", ":"))
    )
    shutil.copyfile(
        shared / "cambridge_ma/LICENSE_cambridgegis.md",
        HERE / "cambridge_ma/LICENSE_cambridgegis.md",
    )
    grt = json.loads((shared / "kitchener_waterloo/grt_route_shapes_2024-01.geojson").read_text())
    x0, y0, x1, y1 = UPTOWN_BBOX
    kept = []
    for f in grt["features"]:
        best: list[list[float]] = []
        run: list[list[float]] = []
        for c in f["geometry"]["coordinates"]:
            if x0 <= c[0] <= x1 and y0 <= c[1] <= y1:
                run.append(_round(c))
                if len(run) > len(best):
                    best = run
            else:
                run = []
        if len(best) >= 10:
            p = f["properties"]
            kept.append(
                {
                    "type": "Feature",
                    "properties": {
                        k: p[k]
                        for k in ("shape_id", "route_short_name", "route_long_name", "headsign")
                    },
                    "geometry": {"type": "LineString", "coordinates": best},
                }
            )
    (HERE / "kitchener_waterloo/grt_shapes_uptown.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": kept}, separators=(",", ":"))
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
