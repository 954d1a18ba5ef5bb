"""`GET /api/v1/tiles/{z}/{x}/{y}.png`: XYZ in, TMS rows in the file, plain errors."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import httpx
import pytest

from maps.assets import BASEMAP_MBTILES
from server.embedded import EmbeddedServer
from server.settings import Settings
from tests.server.conftest import NewStore


@pytest.fixture(scope="module")
def tiles_server(
    tmp_path_factory: pytest.TempPathFactory, new_store: NewStore
) -> Iterator[dict[str, str]]:
    corrupt = tmp_path_factory.mktemp("tiles") / "corrupt.mbtiles"
    corrupt.write_bytes(b"not a database" * 1000)
    servers = {
        "basemap": EmbeddedServer(
            new_store(), seed_demo=False, settings=Settings(tiles_mbtiles=str(BASEMAP_MBTILES))
        ),
        "none": EmbeddedServer(new_store(), seed_demo=False),
        "corrupt": EmbeddedServer(
            new_store(), seed_demo=False, settings=Settings(tiles_mbtiles=str(corrupt))
        ),
    }
    urls = {name: server.start() for name, server in servers.items()}
    yield urls
    for server in servers.values():
        server.stop()


def test_serves_the_tile_with_the_row_flipped(tiles_server: dict[str, str]) -> None:
    conn = sqlite3.connect(BASEMAP_MBTILES)
    (expected,) = conn.execute(
        "SELECT tile_data FROM tiles WHERE zoom_level=5 AND tile_column=8 AND tile_row=20"
    ).fetchone()
    conn.close()
    response = httpx.get(f"{tiles_server['basemap']}/api/v1/tiles/5/8/11.png", trust_env=False)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content == expected


@pytest.mark.parametrize(
    ("server", "path", "status", "detail"),
    [
        ("basemap", "5/0/0.png", 404, "no tile 5/0/0"),
        ("basemap", "3/8/0.png", 404, "outside the map"),
        ("basemap", "30/0/0.png", 404, "outside the map"),
        ("none", "0/0/0.png", 404, "no map tiles configured"),
        ("corrupt", "0/0/0.png", 503, "the tile file cannot be read"),
    ],
)
def test_errors_are_plain_words(
    tiles_server: dict[str, str], server: str, path: str, status: int, detail: str
) -> None:
    response = httpx.get(f"{tiles_server[server]}/api/v1/tiles/{path}", trust_env=False)
    assert response.status_code == status
    assert detail in response.json()["detail"]


def test_bad_numbers_are_rejected_not_crashed(tiles_server: dict[str, str]) -> None:
    response = httpx.get(f"{tiles_server['basemap']}/api/v1/tiles/a/0/0.png", trust_env=False)
    assert response.status_code == 422


def test_endpoint_is_in_the_openapi_document(tiles_server: dict[str, str]) -> None:
    doc = httpx.get(f"{tiles_server['none']}/openapi.json", trust_env=False).json()
    operation = doc["paths"]["/api/v1/tiles/{z}/{x}/{y}.png"]["get"]
    assert "image/png" in operation["responses"]["200"]["content"]
