"""Shared fixtures: the CLI in-process (CliRunner) and as a real program in a shell."""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
import sys
from collections.abc import Iterator, Sequence
from unittest import mock

import pytest
from typer.testing import CliRunner

from gumbelcli import engine
from gumbelcli.cli import app

# The installed console script beside this Python, else `python -m gumbelcli` (the same program).
_script = os.path.join(os.path.dirname(sys.executable), "gumbel")
GUMBEL = shlex.quote(_script) if os.path.exists(_script) else f"{shlex.quote(sys.executable)} -m gumbelcli"


def invoke(args: Sequence[str], input: str | bytes | None = None, env: dict[str, str] | None = None):
    """Run ``gumbel ARGS`` in-process; the result has ``exit_code``, ``stdout`` and ``stderr`` apart."""
    return CliRunner().invoke(app, list(args), input=input, env=env, prog_name="gumbel")


NO_ENV = {"GUMBEL_THREADS": None, "NO_COLOR": "1"}  # a GUMBEL_THREADS of the caller must not leak in


def run(args: Sequence[object], input: str | bytes | None = None, env: dict[str, str] | None = None):
    """``invoke`` with every argument turned into a string and the caller's environment neutralised."""
    return invoke([str(a) for a in args], input=input, env={**NO_ENV, **(env or {})})


def ok(args: Sequence[object], input: str | bytes | None = None, env: dict[str, str] | None = None):
    """Run and expect success with nothing on stderr; return the result."""
    result = run(args, input, env)
    assert result.exit_code == 0, (result.exit_code, result.stderr, result.exception)
    assert result.stderr == "", result.stderr
    return result


@contextlib.contextmanager
def small_chunks(chunk_variates: int = 96, block_variates: int = 24) -> Iterator[None]:
    """Tiny chunks, so that a few hundred draws span many chunks and blocks (the CLI runs in-process)."""
    with mock.patch.object(engine, "CHUNK_VARIATES", chunk_variates), mock.patch.object(
        engine, "BLOCK_VARIATES", block_variates
    ):
        yield


def shell(command: str, input: bytes | None = None, timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
    """Run a bash command line in which ``gumbel`` means this checkout's program."""
    script = f"gumbel() {{ {GUMBEL} \"$@\"; }}\nset -o pipefail 2>/dev/null || true\n{command}"
    env = {k: v for k, v in os.environ.items() if k not in ("GUMBEL_THREADS",)}
    env["NO_COLOR"] = "1"
    return subprocess.run(["bash", "-c", script], input=input, capture_output=True, timeout=timeout, env=env)


def assert_one_line_error(stderr: str) -> None:
    """Bad input ends with exactly one line `gumbel: error: ...` and never a traceback."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("gumbel: error: "), stderr
    assert "Traceback" not in stderr


@pytest.fixture
def gumbel_shell():
    return shell
