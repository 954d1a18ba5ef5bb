"""The coverage rule: when a segment and a curb side count as swept, from GPS fixes alone.

Rule profiles, the geometry kernel, the incremental engine the tablet runs live and the
explanations it gives. Qt-free, and imports only `wire` of ours, so the server and tools
can run the same rule on other feeds."""
