"""The client's own data: models, local SQLite store and repositories, the backend API
client, config, credentials (keyring), positioning sources and logs. Qt-free."""
