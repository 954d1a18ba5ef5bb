"""Supervisor mode: the live fleet, route progress, the feedback inbox, pilot metrics,
messages, reassignment and exports, over `staff.api` and `staff.fleet`."""
