"""The map snapshot: used only with the exact assignment version it was drawn from."""

from __future__ import annotations

from pathlib import Path

from client.assignments import AssignmentCache
from client.map_snapshot import MAP_SNAPSHOT_KEY, load_map_snapshot, save_map_snapshot
from client.store import Store
from tests.helpers.routes import waterloo_route
from tests.ui.operator_rig import assignment_value


def _store_with_assignment(tmp_path: Path, version: int) -> Store:
    store = Store(tmp_path / "tablet.sqlite", device_id="tab-3")
    value = assignment_value(waterloo_route(5), version=version)
    AssignmentCache(store).apply_pull(
        {"cursor": "c", "reset": True},
        [{"op": "put", "entity": "assignment", "id": value["id"], "version": version,
          "value": value}],
    )  # fmt: skip
    return store


def test_a_snapshot_of_the_cached_version_is_shown(tmp_path: Path) -> None:
    store = _store_with_assignment(tmp_path, version=1)
    assignment = AssignmentCache(store).current()
    assert assignment is not None
    save_map_snapshot(store, assignment.id, 1, '{"route": {}}')
    assert load_map_snapshot(store) == '{"route": {}}'


def test_a_snapshot_of_another_version_is_not(tmp_path: Path) -> None:
    store = _store_with_assignment(tmp_path, version=2)
    assignment = AssignmentCache(store).current()
    assert assignment is not None
    save_map_snapshot(store, assignment.id, 1, '{"route": {}}')
    assert load_map_snapshot(store) is None
    save_map_snapshot(store, "another-assignment", 2, '{"route": {}}')
    assert load_map_snapshot(store) is None


def test_an_unreadable_snapshot_is_ignored(tmp_path: Path) -> None:
    store = _store_with_assignment(tmp_path, version=1)
    assert load_map_snapshot(store) is None  # none kept yet
    store.set_kv(MAP_SNAPSHOT_KEY, "{not json")
    assert load_map_snapshot(store) is None
    store.set_kv(MAP_SNAPSHOT_KEY, '{"assignment": "a"}')
    assert load_map_snapshot(store) is None
