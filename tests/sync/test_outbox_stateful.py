"""Hypothesis stateful model: a client outbox, a lossy network and the server's push rules.

The client is the real `Outbox` on a real SQLite file; the server is a model of SYNC.md's
push table; the network loses requests or replies at will. Invariants: nothing lost,
nothing twice, order kept per stream.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from client.outbox import Outbox
from client.store import Store
from wire.protocol import STREAMS


class ModelServer:
    def __init__(self) -> None:
        self.facts: dict[tuple[str, str], list[str]] = {}

    def push(self, client_id: str, stream: str, events: list[dict[str, Any]]) -> dict[str, Any]:
        facts = self.facts.setdefault((client_id, stream), [])
        results: list[dict[str, Any]] = []
        for event in events:
            seq = event["seq"]
            if seq <= len(facts):
                same = facts[seq - 1] == event["sha256"]
                results.append(
                    {"seq": seq, "status": "duplicate" if same else "conflict_reused_seq"}
                )
            elif seq == len(facts) + 1:
                facts.append(event["sha256"])
                results.append({"seq": seq, "status": "applied"})
            else:
                results.append({"seq": seq, "status": "gap", "expected": len(facts) + 1})
                break
        return {"last_processed_seq": len(facts), "results": results}


class SyncModel(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="sweepline-model-"))
        self.store = Store(self.dir / "tablet.sqlite", device_id="dev")
        self.outbox = Outbox(self.store)
        self.server = ModelServer()
        self.committed: dict[str, list[str]] = {s: [] for s in STREAMS}
        self.n = 0

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    @rule(stream=st.sampled_from(STREAMS), count=st.integers(1, 4))
    def record(self, stream: str, count: int) -> None:
        for _ in range(count):
            self.n += 1
            self.outbox.append(stream, "note", {"n": self.n}, assignment_version=1, gps_time=None)
            sha = self.store.conn.execute(
                "SELECT sha256 FROM outbox ORDER BY seq DESC LIMIT 1"
            ).fetchone()[0]
            self.committed[stream].append(sha)

    @rule(
        stream=st.sampled_from(STREAMS),
        batch=st.integers(1, 6),
        fate=st.sampled_from(["deliver", "lose_request", "lose_reply"]),
    )
    def push(self, stream: str, batch: int, fate: str) -> None:
        events = self.outbox.pending(stream, max_count=batch, max_bytes=1 << 20)
        if not events or fate == "lose_request":
            return
        client_id = self.store.client_id
        answer = self.server.push(client_id, stream, [e.wire() for e in events])
        if fate == "deliver":
            self.outbox.record_push_result(stream, client_id, answer)

    @rule()
    def prune_acked(self) -> None:
        self.outbox.prune_acked("9999-01-01T00:00:00Z")

    @invariant()
    def server_holds_a_prefix_of_what_was_committed_in_order(self) -> None:
        client_id = self.store.client_id
        for stream in STREAMS:
            on_server = self.server.facts.get((client_id, stream), [])
            assert on_server == self.committed[stream][: len(on_server)]

    @invariant()
    def nothing_is_flagged_as_reused(self) -> None:
        assert self.outbox.conflict_count() == 0

    @precondition(lambda self: self.n > 0)
    @rule()
    def heal_and_drain(self) -> None:
        client_id = self.store.client_id
        for stream in STREAMS:
            for _ in range(1000):
                events = self.outbox.pending(stream, max_count=5, max_bytes=1 << 20)
                if not events:
                    break
                answer = self.server.push(client_id, stream, [e.wire() for e in events])
                self.outbox.record_push_result(stream, client_id, answer)
            assert self.server.facts.get((client_id, stream), []) == self.committed[stream]
        assert self.outbox.pending_counts() == {"events": 0, "gps": 0}


SyncModel.TestCase.settings = settings(max_examples=40, stateful_step_count=30, deadline=None)
TestSyncModel = SyncModel.TestCase
