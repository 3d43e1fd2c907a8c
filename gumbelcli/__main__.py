"""``python -m gumbelcli`` is ``gumbel``."""

from .cli import app

app(prog_name="gumbel")
