"""The sync engine: pushes the outbox, pulls server changes, backs off, reports state.

Qt-free: it runs on whatever asyncio loop the application gives it (qasync in the app,
plain asyncio in tests and tools).
"""
