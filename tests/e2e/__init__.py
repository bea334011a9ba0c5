"""End-to-end tests: the real server and the `between` CLI as subprocesses."""
