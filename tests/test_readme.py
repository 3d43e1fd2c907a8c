"""Every example in README.md is executed, so the README cannot go stale.

The convention, for every fenced code block of README.md:

- ```` ```console ````: a terminal session. A line ``$ COMMAND`` is a command; lines right after it
  that start with ``> `` continue it (a here-document, a long pipeline); the lines that follow, up
  to the next ``$``, are its expected output, stdout and stderr together. Each command runs in
  bash (``set -o pipefail``), the commands of a block one after another in one fresh temporary
  folder, and the output must be *exactly* the one shown (trailing spaces and trailing blank lines
  aside). Every command must exit 0, except that ``<!-- exit: N -->`` right before the block says
  that its last command exits N.
- ```` ```bash ```` / ```` ```sh ````: a recipe. The whole block runs as one bash script
  (``set -euo pipefail``) in a fresh temporary folder; it must exit 0 and write nothing on stderr.
  Its stdout is not compared.
- ```` ```python ````: runs with this Python in a fresh temporary folder; exit 0, nothing on stderr.
- Anything else, and any block that must not run, carries a marker right before it (blank lines
  and other markers may sit between): ``<!-- not-run: the reason -->``. The Quick start blocks are
  marked by ``<!-- main-command -->`` and ``<!-- test-command -->``: they create a virtual
  environment and install the package, and CI runs the test command itself (``.ci/run``).

In every run, ``gumbel`` and ``python`` are this checkout's program and this Python (found first on
``PATH``), and ``NO_COLOR=1``. Seeds are fixed in the examples, so their output is deterministic.

After a change that alters an example's output, rewrite the expected outputs from real runs with::

    GUMBEL_REGENERATE=1 python -m pytest tests/test_readme.py

(then read the diff: the new figures are what the program prints now).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from gumbelcli.errors import ExitCode

README = Path(__file__).resolve().parent.parent / "README.md"
FENCE = re.compile(r"^```([\w-]*)\s*$")
MARKER = re.compile(r"^<!--\s*(.*?)\s*-->$")
QUICK_START_MARKERS = ("main-command", "test-command")
RUN_LANGUAGES = ("console", "bash", "sh", "python")


@dataclass
class Command:
    text: str
    expected: list[str] = field(default_factory=list)
    output_start: int = 0  # index in the README's lines of the first expected-output line


@dataclass
class Block:
    language: str
    first: int  # index of the first line inside the fence
    lines: list[str]
    markers: list[str]

    @property
    def line_number(self) -> int:
        return self.first  # 1-based number of the opening fence

    @property
    def not_run_reason(self) -> str | None:
        for marker in self.markers:
            if marker.startswith("not-run:"):
                return marker.split(":", 1)[1].strip()
            if marker in QUICK_START_MARKERS:
                return f"Quick start ({marker}): installs the package; CI runs the test command (.ci/run)"
        return None

    @property
    def exit_code(self) -> int:
        for marker in self.markers:
            if marker.startswith("exit:"):
                return int(marker.split(":", 1)[1])
        return 0

    def commands(self) -> list[Command]:
        """The ``$`` commands of a console block, with their continuation lines and expected output."""
        commands: list[Command] = []
        continuing = False
        for offset, line in enumerate(self.lines):
            if line.startswith("$ "):
                commands.append(Command(line[2:], output_start=self.first + offset + 1))
                continuing = True
            elif continuing and (line.startswith("> ") or line == ">"):
                commands[-1].text += "\n" + line[2:]
                commands[-1].output_start = self.first + offset + 1
            else:
                assert commands, f"README.md:{self.line_number}: a console block must start with a '$ ' command"
                continuing = False
                commands[-1].expected.append(line)
        return commands


def read_blocks(text: str | None = None) -> list[Block]:
    lines = (README.read_text(encoding="utf-8") if text is None else text).splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        markers: list[str] = []
        j = i - 1
        while j >= 0 and (not lines[j].strip() or MARKER.match(lines[j].strip())):
            found = MARKER.match(lines[j].strip())
            if found:
                markers.append(found.group(1))
            j -= 1
        end = i + 1
        while end < len(lines) and not lines[end].startswith("```"):
            end += 1
        assert end < len(lines), f"README.md:{i + 1}: a code block is never closed"
        blocks.append(Block(match.group(1), i + 1, lines[i + 1 : end], markers))
        i = end + 1
    return blocks


def normalise(lines: list[str]) -> list[str]:
    out = [line.rstrip() for line in lines]
    while out and not out[-1]:
        out.pop()
    return out


# --------------------------------------------------------------------------------------------
# where the examples run


@pytest.fixture(scope="module")
def bin_dir(tmp_path_factory) -> Path:
    """``gumbel``, ``python`` and ``python3`` as this checkout's program and this Python."""
    folder = tmp_path_factory.mktemp("bin")
    python = shlex.quote(sys.executable)
    for name, target in [("gumbel", f"{python} -m gumbelcli"), ("python", python), ("python3", python)]:
        path = folder / name
        path.write_text(f'#!/bin/sh\nexec {target} "$@"\n')
        path.chmod(0o755)
    return folder


def environment(bin_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GUMBEL_THREADS", "COLUMNS", "LINES", "FORCE_COLOR")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}"
    env["NO_COLOR"] = "1"
    return env


def run_bash(script: str, folder: Path, bin_dir: Path, *, merge: bool) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["bash", "-c", script],
        cwd=folder,
        env=environment(bin_dir),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if merge else subprocess.PIPE,
        timeout=300,
    )


def run_console(block: Block, folder: Path, bin_dir: Path) -> list[tuple[Command, int, list[str]]]:
    """Run each command of a console block; return (command, exit status, output lines)."""
    results = []
    for command in block.commands():
        proc = run_bash("set -o pipefail\n" + command.text, folder, bin_dir, merge=True)
        results.append((command, proc.returncode, proc.stdout.decode("utf-8", "replace").splitlines()))
    return results


BLOCKS = read_blocks()


def block_id(index: int) -> str:
    block = BLOCKS[index]
    return f"line{block.line_number}-{block.language or 'plain'}"


# --------------------------------------------------------------------------------------------
# the tests


def test_every_block_is_run_or_marked_not_run():
    assert BLOCKS, "README.md has no code blocks?"
    for block in read_blocks():
        reason = block.not_run_reason
        where = f"README.md:{block.line_number} ({block.language or 'no language'})"
        if reason is not None:
            assert reason, f"{where}: give the reason not to run it: <!-- not-run: the reason -->"
        else:
            assert block.language in RUN_LANGUAGES, (
                f"{where}: only console, bash, sh and python blocks run; mark this one <!-- not-run: reason -->"
            )


def test_the_quick_start_keeps_the_commands_ci_runs():
    """.ci/run runs the line after <!-- test-command --> (fences skipped); the README must keep it."""
    lines = README.read_text(encoding="utf-8").splitlines()
    for marker, expected in [
        ("<!-- main-command -->", "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/gumbel verify"),
        (
            "<!-- test-command -->",
            'python3 -m venv .venv && .venv/bin/pip install -e ".[test]" && .venv/bin/python -m pytest',
        ),
    ]:
        i = lines.index(marker) + 1
        while lines[i].startswith("```"):
            i += 1
        assert lines[i] == expected


def test_the_exit_code_table_lists_every_exit_code():
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Exit codes", 1)[1].split("\n## ", 1)[0]
    codes = {int(m.group(1)) for m in re.finditer(r"^\|\s*`?(\d+)`?\s*\|", section, re.MULTILINE)}
    assert codes == {int(code) for code in ExitCode} | {143}  # 143: SIGTERM, 128 + 15, not an ExitCode


@pytest.mark.skipif(not os.environ.get("GUMBEL_REGENERATE"), reason="set GUMBEL_REGENERATE=1 to rewrite outputs")
def test_regenerate_the_readme_outputs(bin_dir, tmp_path_factory):
    """Rewrite the expected output of every console command from a real run (in place); it runs
    before the examples are checked, so one run both rewrites and checks."""
    lines = README.read_text(encoding="utf-8").splitlines()
    edits = []
    for block in read_blocks():
        if block.language != "console" or block.not_run_reason is not None:
            continue
        for command, _, output in run_console(block, tmp_path_factory.mktemp("regen"), bin_dir):
            kept = len(command.expected) - len(normalise(command.expected))  # blank lines between commands
            edits.append((command.output_start, len(command.expected), normalise(output) + [""] * kept))
    for start, length, output in sorted(edits, reverse=True):  # from the end: earlier indices stay valid
        lines[start : start + length] = output
    README.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("index", [i for i, b in enumerate(BLOCKS) if b.not_run_reason is None], ids=block_id)
def test_readme_example(index, bin_dir, tmp_path):
    block = read_blocks()[index]
    where = f"README.md:{block.line_number}"
    if block.language == "console":
        results = run_console(block, tmp_path, bin_dir)
        for n, (command, status, output) in enumerate(results):
            wanted = block.exit_code if n == len(results) - 1 else 0
            assert status == wanted, f"{where}: `{command.text}` exited {status}, not {wanted}:\n" + "\n".join(output)
            assert normalise(output) == normalise(command.expected), (
                f"{where}: `{command.text}` printed something else "
                "(GUMBEL_REGENERATE=1 python -m pytest tests/test_readme.py rewrites the README's outputs)"
            )
    elif block.language in ("bash", "sh"):
        proc = run_bash("set -euo pipefail\n" + "\n".join(block.lines), tmp_path, bin_dir, merge=False)
        assert proc.returncode == 0 and proc.stderr == b"", f"{where}: {proc.stderr.decode()[-2000:]}"
    else:
        script = tmp_path / "example.py"
        script.write_text("\n".join(block.lines) + "\n", encoding="utf-8")
        proc = subprocess.run(
            [sys.executable, str(script)], cwd=tmp_path, env=environment(bin_dir), capture_output=True, timeout=300
        )
        assert proc.returncode == 0 and proc.stderr == b"", f"{where}: {proc.stderr.decode()[-2000:]}"
