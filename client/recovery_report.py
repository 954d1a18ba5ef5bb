"""Tells the supervisor, through the next push, that this tablet's database was set aside.

`client.salvage` records each recovery in the fresh database; the first tablet core to
open it appends one `storage_recovered` fact (where the file was kept, how much was
recovered, how much could not be read) and marks the record reported in the same
transaction, so the fact is made exactly once even if the app stops in between.
"""

from __future__ import annotations

import json

from client.outbox import Outbox
from client.salvage import RECOVERY_KEY
from client.store import Store

STORAGE_RECOVERED = "storage_recovered"


def report_recovery(store: Store, outbox: Outbox) -> bool:
    """Queue the `storage_recovered` fact if a recovery is not reported yet."""
    raw = store.get_kv(RECOVERY_KEY)
    if not raw:
        return False
    record = json.loads(raw)
    if record.get("reported"):
        return False
    with store.transaction() as conn:
        outbox.append(
            "events", STORAGE_RECOVERED, record["fact"], assignment_version=None, gps_time=None
        )
        conn.execute(
            "UPDATE kv SET value = ? WHERE key = ?",
            (json.dumps({**record, "reported": True}), RECOVERY_KEY),
        )
    return True
