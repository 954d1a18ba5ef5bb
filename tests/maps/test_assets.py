"""Bundled asset lookup: every allowed file is found, nothing outside the bundle is."""

from __future__ import annotations

import pytest

from maps.assets import LEAFLET_DIR, mime_type, resolve_leaflet_asset


@pytest.mark.parametrize(
    ("relative", "mime"),
    [
        ("leaflet.js", "text/javascript"),
        ("leaflet.css", "text/css"),
        ("images/marker-icon.png", "image/png"),
        ("images/layers-2x.png", "image/png"),
    ],
)
def test_bundled_files_resolve_with_their_mime_type(relative, mime):
    path = resolve_leaflet_asset(relative)
    assert path is not None
    assert path.is_relative_to(LEAFLET_DIR.resolve())
    assert mime_type(path) == mime


@pytest.mark.parametrize(
    "relative",
    [
        "",
        "../pyproject.toml",
        "../../pyproject.toml",
        "images/../../demo/PROVENANCE.md",
        "./leaflet.js",
        "images//marker-icon.png",
        "/etc/passwd",
        "..\\leaflet.js",
        "leaflet.js\x00.png",
        "LICENSE",
        "PROVENANCE.md",
        "missing.js",
        "images",
    ],
)
def test_anything_else_is_refused(relative):
    assert resolve_leaflet_asset(relative) is None
