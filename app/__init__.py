"""The composed tablet application, Qt-free: the tablet service (records facts, owns the
sync engine, publishes "what changed"), GPS wiring from config and the route tile refresh.
The screens (`ui/`) sit on top of it; `main.py` builds it."""
