"""The one contract the tablet and the server both import: protocol version, streams, event
names, content hashes, the compact fix-row codec and the form rules. Imports nothing of ours."""
