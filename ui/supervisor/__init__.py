"""Supervisor mode: the live fleet, route progress, the feedback inbox, pilot metrics,
messages, reassignment and exports, over `client.supervisor_api` and `client.fleet`."""
