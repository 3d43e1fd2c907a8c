"""Shell completion: the committed scripts, what TAB offers, and that a TAB press stays fast.

The scripts in ``completions/`` are generated from the app (DESIGN.md, "Completions"). They are
thin: each TAB press runs ``gumbel`` with ``_GUMBEL_COMPLETE=complete_<shell>``, which answers from
the app itself, so new options complete without regenerating anything. Regenerate the files
(after a Typer upgrade changes its templates) with::

    GUMBEL_REGENERATE=1 python -m pytest tests/test_completions.py

Every TAB press runs the program, so neither completion nor ``--help`` may import SciPy; this is
measured with ``python -X importtime``, which lists every module the interpreter imported.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from gumbelcli.cli import Format, Noise, Stat, app

COMPLETIONS = Path(__file__).resolve().parent.parent / "completions"
SHELLS = ("bash", "zsh", "fish")
REGENERATE = "GUMBEL_REGENERATE=1 python -m pytest tests/test_completions.py"
COMMANDS = ("sample", "verify", "relax")


def completion_script(shell: str) -> str:
    """The script ``_GUMBEL_COMPLETE=source_<shell> gumbel`` prints, normalised."""
    result = CliRunner().invoke(app, [], env={"_GUMBEL_COMPLETE": f"source_{shell}"}, prog_name="gumbel")
    assert result.exit_code == 0, result.output
    return result.stdout.strip() + "\n"


@pytest.mark.parametrize("shell", SHELLS)
def test_committed_completion_scripts_are_up_to_date(shell):
    path = COMPLETIONS / f"gumbel.{shell}"
    script = completion_script(shell)
    if os.environ.get("GUMBEL_REGENERATE"):
        path.write_text(script, encoding="utf-8")
    assert path.exists(), f"{path} is missing; generate it with: {REGENERATE}"
    assert path.read_text(encoding="utf-8") == script, f"{path} is stale; regenerate it with: {REGENERATE}"
    assert "_GUMBEL_COMPLETE=complete_" in script and "gumbel" in script


# --------------------------------------------------------------------------------------------
# what TAB offers (the protocol each script speaks, run in-process)


def bash_complete(line: str) -> list[str]:
    """What bash gets for the command line ``line`` (the word under the cursor is the last one)."""
    words = line.split(" ")
    env = {"_GUMBEL_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": str(len(words) - 1)}
    result = CliRunner().invoke(app, [], env=env, prog_name="gumbel")
    assert result.exit_code == 0 and result.stderr == "", result.output
    return result.stdout.split()


def long_options(command: str) -> set[str]:
    """Every option name of a command, as the app declares it (new options included)."""
    params = get_command(app).commands[command].params  # type: ignore[attr-defined]
    return {name for p in params for name in [*p.opts, *p.secondary_opts] if name.startswith("--")}


def test_tab_offers_the_commands():
    assert bash_complete("gumbel ") == list(COMMANDS)
    assert bash_complete("gumbel s") == ["sample"]
    assert bash_complete("gumbel re") == ["relax"]


@pytest.mark.parametrize("command", COMMANDS)
def test_tab_offers_every_option_of_a_command(command):
    offered = set(bash_complete(f"gumbel {command} --"))
    assert long_options(command) <= offered, long_options(command) - offered
    assert {"--format", "--seed", "--help"} <= offered


def test_tab_offers_top_level_options():
    offered = set(bash_complete("gumbel --"))
    assert {"--version", "--install-completion", "--help"} <= offered


@pytest.mark.parametrize(
    "line, values",
    [
        ("gumbel sample --format ", [f.value for f in Format]),
        ("gumbel relax -F ", [f.value for f in Format]),
        ("gumbel verify --format j", ["json", "jsonl"]),
        ("gumbel verify --stat ", [s.value for s in Stat]),
        ("gumbel verify --stat c", ["cressie-read"]),
        ("gumbel verify --noise ", [n.value for n in Noise]),
        ("gumbel verify 0.2 0.8 --noise ga", ["gaussian"]),
        ("gumbel sample --logits 0 -1 -2 --format ", [f.value for f in Format]),  # negative numbers before
    ],
)
def test_tab_offers_the_values_of_choices(line, values):
    assert bash_complete(line) == values


def test_the_choices_are_those_of_the_contract():
    assert [f.value for f in Format] == ["auto", "table", "plain", "csv", "tsv", "json", "jsonl", "npy"]
    assert [s.value for s in Stat] == ["pearson", "g", "freeman-tukey", "neyman", "cressie-read"]
    assert [n.value for n in Noise] == ["gumbel", "gaussian"]


def test_zsh_and_fish_get_the_same_values():
    runner = CliRunner()
    env = {"_GUMBEL_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "gumbel verify --stat "}
    zsh = runner.invoke(app, [], env=env, prog_name="gumbel").stdout
    assert zsh.startswith("_arguments") and all(f'"{s.value}"' in zsh for s in Stat)
    env = {
        "_GUMBEL_COMPLETE": "complete_fish",
        "_TYPER_COMPLETE_FISH_ACTION": "get-args",
        "_TYPER_COMPLETE_ARGS": "gumbel sample --format ",
    }
    fish = runner.invoke(app, [], env=env, prog_name="gumbel").stdout
    assert fish.split() == [f.value for f in Format]
    env = {**env, "_TYPER_COMPLETE_ARGS": "gumbel "}
    fish = runner.invoke(app, [], env=env, prog_name="gumbel").stdout
    assert [line.split("\t")[0] for line in fish.splitlines()] == list(COMMANDS)


# --------------------------------------------------------------------------------------------
# the committed bash script in a real bash


def gumbel_program() -> str | None:
    """The installed ``gumbel`` beside this Python (the scripts call the program by name)."""
    path = os.path.join(os.path.dirname(sys.executable), "gumbel")
    return path if os.path.exists(path) else None


@pytest.mark.skipif(gumbel_program() is None or shutil.which("bash") is None, reason="needs bash and the installed script")
def test_the_committed_bash_script_completes_in_bash():
    program = gumbel_program()
    assert program is not None
    script = COMPLETIONS / "gumbel.bash"
    lines = [
        f"source {shlex.quote(str(script))}",
        'complete -p gumbel | grep -q _gumbel_completion || { echo "not registered"; exit 3; }',
    ]
    cases = {"gumbel verify --noise ": "gaussian gumbel", "gumbel ": "relax sample verify", "gumbel sample --form": "--format"}
    for line in cases:
        words = " ".join(shlex.quote(w) for w in line.split(" "))
        lines += [
            f"COMP_WORDS=({words}); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 )); COMPREPLY=()",
            "_gumbel_completion gumbel",
            'printf "%s\\n" "$(printf "%s\\n" "${COMPREPLY[@]}" | sort | tr "\\n" " ")"',
        ]
    env = {**os.environ, "PATH": os.path.dirname(program) + os.pathsep + os.environ.get("PATH", "")}
    proc = subprocess.run(["bash", "--norc", "--noprofile", "-c", "\n".join(lines)], capture_output=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert [line.strip() for line in proc.stdout.decode().splitlines()] == list(cases.values())


# --------------------------------------------------------------------------------------------
# a TAB press and --help import no SciPy (measured with python -X importtime)


def imported_modules(args: list[str], env: dict[str, str] | None = None) -> list[str]:
    """Every module ``python -X importtime -m gumbelcli ARGS`` imported, from its import-time log."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "gumbelcli", *args],
        capture_output=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    modules = [line.rsplit("|", 1)[1].strip() for line in proc.stderr.decode().splitlines() if line.startswith("import time:")]
    assert "gumbelcli.cli" in modules  # the log is really there
    return modules


RUNS = {
    "--help": ([ "--help"], None),
    "sample --help": (["sample", "--help"], None),
    "verify --help": (["verify", "--help"], None),
    "relax --help": (["relax", "--help"], None),
    "TAB in bash": ([], {"_GUMBEL_COMPLETE": "complete_bash", "COMP_WORDS": "gumbel verify --stat ", "COMP_CWORD": "3"}),
    "TAB in zsh": ([], {"_GUMBEL_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "gumbel sample --format "}),
    "TAB in fish": (
        [],
        {"_GUMBEL_COMPLETE": "complete_fish", "_TYPER_COMPLETE_FISH_ACTION": "get-args", "_TYPER_COMPLETE_ARGS": "gumbel relax --"},
    ),
    # Data to a pipe needs no test statistic, so no SciPy either (half a second and 50 MB saved).
    "sample piped": (["sample", "0.2", "0.8", "-n", "100", "--seed", "1"], None),
    "sample --counts piped": (["sample", "0.2", "0.8", "-n", "100", "--seed", "1", "--counts", "-F", "csv"], None),
}


@pytest.mark.parametrize("name", list(RUNS))
def test_help_completion_and_piped_data_import_no_scipy(name):
    args, env = RUNS[name]
    modules = imported_modules(args, env)
    assert not [m for m in modules if m == "scipy" or m.startswith("scipy.")], name


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_install_completion_installs_the_committed_bash_script(tmp_path):
    """``gumbel --install-completion`` (run from bash) writes the script we commit, and sources it."""
    from conftest import GUMBEL

    env = {**os.environ, "HOME": str(tmp_path)}
    # "; exit $?": bash forks the program instead of exec-ing it, so the program's parent is bash,
    # the shell that --install-completion detects
    command = f"{GUMBEL} --install-completion; exit $?"
    proc = subprocess.run(["bash", "-c", command], capture_output=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    installed = tmp_path / ".bash_completions" / "gumbel.sh"
    assert installed.read_text().strip() + "\n" == (COMPLETIONS / "gumbel.bash").read_text()
    assert f"source '{installed}'" in (tmp_path / ".bashrc").read_text()
