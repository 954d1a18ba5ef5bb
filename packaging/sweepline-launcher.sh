#!/bin/sh
# /usr/bin/sweepline: start the program installed under /opt/sweepline.
# Kiosk mode's restart-on-crash runs inside the program (a supervisor process).
exec /opt/sweepline/sweepline "$@"
