"""Map building for the tablet: the Leaflet page, its bundled assets and the JSON it is fed.

Nothing here imports Qt: the page is plain HTML and the payloads are plain dicts, so the
same code can be exercised without a display and reused by tools.
"""
