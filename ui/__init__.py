"""Every widget and window of the tablet app; the only package (with main.py) that imports Qt."""
