"""The child of the crash loop: records facts and syncs them until it is killed (-9).

`python -m tests.sync.crash_child URL DB_PATH SEED TOKEN`: uses the parent's access token
(as a restarted tablet uses the stored one), then forever appends a few
events and fixes and pushes, so a kill lands at any moment: mid-transaction, mid-push,
between the server's commit and the local ack.
"""

from __future__ import annotations

import asyncio
import random
import sys
from pathlib import Path

from client.api import ApiClient
from client.assignments import AssignmentCache
from client.errors import NetworkUnavailable, ServerBusy
from client.outbox import Outbox
from client.store import Store
from sync.engine import SyncEngine

DEMO_DEVICE = "demo-tablet-1"


async def main(url: str, db_path: Path, seed: int, token: str) -> None:
    rng = random.Random(seed)
    store = Store(db_path, device_id=DEMO_DEVICE)
    outbox = Outbox(store)
    api = ApiClient(url, deadline_s=5.0)
    api.token = token
    engine = SyncEngine(store, outbox, AssignmentCache(store), api, max_batch_events=7)
    print("ready", flush=True)
    n = 0
    while True:
        for _ in range(rng.randint(1, 5)):
            n += 1
            outbox.append(
                "events", "note", {"seed": seed, "n": n}, assignment_version=1, gps_time=None
            )
        t0 = 1_790_000_000_000 + seed * 10_000_000 + n * 1000
        outbox.buffer_fixes(
            [[t0 + i, 43.47 + i * 1e-5, -80.52, 4.0, 90.0, 5.0] for i in range(5)],
            assignment_version=1,
        )
        outbox.seal_fixes(10, partial=rng.random() < 0.5)
        try:
            await engine.sync_once()
        except (NetworkUnavailable, ServerBusy):
            await asyncio.sleep(0.01)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]))
