"""The tablet's Qt-free core: store, outbox, API client, positioning, coverage, credentials."""
