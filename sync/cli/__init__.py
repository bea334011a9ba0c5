"""The `between` command: parsing and dispatch (`main`), one handler per command, prompts and output."""
