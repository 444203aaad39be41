"""``python -m newscrawl`` is the ``newscrawl`` command."""

from .cli import cli

cli(prog_name="newscrawl")
