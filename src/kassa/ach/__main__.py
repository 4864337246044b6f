"""``python -m kassa.ach``: the same commands as ``kassa ach``."""

from kassa.ach.cli import main

main()
