"""The demo: the reference server in-process with demo data and simulated tablets. Never
imported by the installed product unless `--demo` or `--demo-supervisor` is given."""
