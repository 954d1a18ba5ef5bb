"""The supervisor's Qt-free client: the staff API, the live fleet feed and its event
stream (Server-Sent Events)."""
