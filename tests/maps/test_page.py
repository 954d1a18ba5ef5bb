"""The map page HTML, checked without Qt: bundled-only assets and a CSP that pins it."""

from __future__ import annotations

import base64
import hashlib
import json
import re

import pytest

from maps.assets import BASEMAP_ATTRIBUTION
from maps.page import (
    PRERENDERED_DIR,
    PRERENDERED_VARIANTS,
    TileLayerConfig,
    build_map_page,
    map_page,
    page_key,
    prerendered_path,
)

URL = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


@pytest.fixture(scope="module")
def html() -> str:
    return build_map_page()


def _csp(html: str) -> dict[str, list[str]]:
    match = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    assert match is not None
    policy: dict[str, list[str]] = {}
    for directive in match.group(1).split(";"):
        name, *values = directive.split()
        policy[name] = values
    return policy


def test_page_references_only_the_app_scheme(html):
    # The SVG namespace names an XML vocabulary for createElementNS; nothing fetches it.
    assert re.findall(r"https?://", html.replace('"http://www.w3.org/2000/svg"', "")) == []
    assert URL.findall(html) == [
        "sweepline://app/leaflet/leaflet.js",
        "sweepline://app/qwebchannel.js",
        "sweepline://app/leaflet/leaflet.css",
    ]
    for cdn_only in ("jquery", "bootstrap", "awesome", "fontawesome"):
        assert cdn_only not in html
    # The one tile layer is the app's own (folium's default OpenStreetMap layer is off).
    assert html.count("L.tileLayer(") == 1
    assert '"url": "sweepline://app/tiles/{z}/{x}/{y}.png"' in html


def test_streets_only_page_has_no_tile_layer():
    html = build_map_page(tiles=None)
    assert "L.tileLayer(" in html  # the guarded call in the page script...
    assert "var TILES = null;" in html  # ...that never runs without a tile config
    assert "tiles/{z}" not in html


def test_tile_layer_must_stay_on_the_app_scheme():
    with pytest.raises(ValueError, match="sweepline"):
        build_map_page(tiles=TileLayerConfig(url="https://tile.openstreetmap.org/{z}/{x}/{y}.png"))


def test_basemap_attribution_is_in_the_page(html):
    assert json.dumps(BASEMAP_ATTRIBUTION) in html


def test_csp_is_strict_and_pins_every_inline_block(html):
    policy = _csp(html)
    assert policy["default-src"] == ["'none'"]
    assert policy["connect-src"] == ["'none'"]
    assert policy["img-src"] == ["sweepline:", "data:"]
    assert "'unsafe-inline'" not in html
    assert "'unsafe-eval'" not in html
    for tag, directive in (("script", "script-src"), ("style", "style-src")):
        bodies = re.findall(rf"<{tag}>(.*?)</{tag}>", html, re.DOTALL)
        assert bodies
        for body in bodies:
            digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in policy[directive]
        assert policy[directive][0] == "sweepline:"


def test_csp_comes_before_any_script_or_stylesheet(html):
    csp_at = html.index("Content-Security-Policy")
    assert csp_at < html.index("<script")
    assert csp_at < html.index("<link")
    assert csp_at < html.index("<style")


def test_page_exposes_the_api_and_readiness_flag(html):
    assert "window.sweepline = (function (map)" in html
    assert html.rstrip().endswith("</html>")
    assert "window.sweeplineReady = true;" in html
    for name in ("loadRoute", "setStatuses", "moveVehicle", "setTrail", "stats"):
        assert f"{name}:" in html
    # innerHTML is only ever read (for tests that check markup stays text), never set.
    assert re.findall(r"\.innerHTML\s*\+?=(?!=)", html) == []


@pytest.mark.parametrize("tiles", PRERENDERED_VARIANTS, ids=["basemap", "streets-only"])
def test_prerendered_page_is_what_folium_renders(tiles):
    """The app reads the page rendered at build time (no folium at start-up); it must be
    exactly what folium renders now. Regenerate with `python -m maps.page`."""
    path = prerendered_path(tiles=tiles)
    assert path.is_file(), f"{path} missing: run `python -m maps.page`"
    assert path.read_text(encoding="utf-8") == build_map_page(tiles=tiles)
    assert map_page(tiles=tiles) == build_map_page(tiles=tiles)


def test_no_stale_prerendered_pages():
    wanted = {prerendered_path(tiles=tiles).name for tiles in PRERENDERED_VARIANTS}
    assert {p.name for p in PRERENDERED_DIR.glob("map-*.html")} == wanted


def test_page_key_follows_the_inputs():
    assert page_key() == page_key()
    assert page_key(tiles=None) != page_key()
    assert page_key(zoom=12) != page_key()


def test_map_page_renders_when_no_prerendered_copy(html):
    # An input with no stored copy is rendered by folium on the spot.
    assert not prerendered_path(zoom=9).exists()
    assert map_page(zoom=9) == build_map_page(zoom=9)


def test_updates_arrive_through_the_channel_with_a_fixed_handler(html):
    assert "var bridge = channel.objects.sweeplineBridge;" in html
    assert "bridge.message.connect(receive)" in html
    assert "JSON.parse(text)" in html
