"""Errors and exit codes.

Every failure the user can cause is a :class:`GumbelError` raised in the core; ``cli.py`` is the only
place that turns it into ``gumbel: error: <message>`` on stderr and an exit code.
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """Process exit codes of ``gumbel`` (documented in ``gumbel --help`` and the README)."""

    OK = 0  #: success; for ``verify``: consistent with the target
    REJECTED = 1  #: a statistical test rejected (``verify``, ``sample --check``)
    BAD_INPUT = 2  #: bad usage or bad input
    INTERRUPTED = 130  #: Ctrl-C
    BROKEN_PIPE = 141  #: the reader of stdout went away (128 + SIGPIPE, as `seq` and `yes` do)


class GumbelError(Exception):
    """Base class of every error ``gumbel`` reports to its user."""

    exit_code: ExitCode = ExitCode.BAD_INPUT


class InputError(GumbelError, ValueError):
    """Bad input: the message names the value, where it is and what is accepted."""
