"""`python -m between.sync.cli`: the `between` command."""

from .main import main

main()
