"""`gumbel sample` as a real program in real shell pipelines (bash, subprocesses, a pty).

``shell`` (conftest) runs a bash command line in which ``gumbel`` is this checkout's program. Exit
statuses of the pieces of a pipeline are read from ``PIPESTATUS``, printed on the last line.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import io
import json
import os
import pty
import shlex
import struct
import subprocess
import sys
import termios
from collections.abc import Iterator

import numpy as np
import pytest

import gumbelcli
from conftest import GUMBEL, shell

PY = shlex.quote(sys.executable)


def pipe_status(command: str):
    """Run ``command`` (a pipeline); return (stdout without the status line, stderr, statuses)."""
    proc = shell(command + '\necho "status ${PIPESTATUS[*]}"')
    *lines, last = proc.stdout.decode().splitlines(keepends=True)
    assert last.startswith("status "), proc
    return "".join(lines), proc.stderr.decode(), [int(x) for x in last.split()[1:]]


# --------------------------------------------------------------------------------------------
# A closed pipe ends the program quietly


@pytest.mark.parametrize("fmt, threads", [("plain", "1"), ("plain", "3"), ("csv", "2"), ("json", "3"), ("jsonl", "1")])
def test_head_closes_the_pipe_quietly(fmt, threads):
    out, err, status = pipe_status(f"gumbel sample 0.5 0.5 -n 2M --seed 1 -t {threads} -F {fmt} | head -3")
    assert len(out.splitlines()) == 3
    assert err == ""  # no traceback, no message
    assert status[0] in (0, 141) and status[1] == 0


def test_head_closes_the_pipe_quietly_with_a_report_and_npy():
    out, err, status = pipe_status("gumbel sample 0.5 0.5 -n 2M --seed 1 --report | head -2")
    assert len(out.splitlines()) == 2 and err == "" and status[0] in (0, 141)
    proc = shell("gumbel sample 0.5 0.5 -n 2M -F npy | head -c 100 | wc -c; echo \"status ${PIPESTATUS[*]}\"")
    assert proc.stderr == b"" and proc.stdout.split()[0] == b"100"
    assert int(proc.stdout.split()[2]) in (0, 141)


def test_a_billion_draws_into_head_stops_at_once():
    """Writing 1e9 draws would take minutes; a closed pipe must end the program at once. The
    subprocess timeout (60 s) only guards against a hang: it is not a speed assertion."""
    proc = shell('gumbel sample -n 1e9 0.5 0.5 | head -1; echo "status ${PIPESTATUS[*]}"', timeout=60)
    lines = proc.stdout.decode().splitlines()
    assert lines[0] in ("0", "1") and proc.stderr == b""
    assert lines[1] == "status 141 0"


# --------------------------------------------------------------------------------------------
# Other programs read the output


def test_npy_into_numpy_load():
    # numpy.load needs a seekable file: read the pipe into memory first
    load = "import io, sys, numpy; a = numpy.load(io.BytesIO(sys.stdin.buffer.read())); print(a.shape, a.dtype, a.sum())"
    cmd = f"gumbel sample 1 2 3 -n 1000 --seed 4 --format npy | {PY} -c {shlex.quote(load)}"
    proc = shell(cmd)
    expected = gumbelcli.sample([1, 2, 3], n=1000, seed=4)
    assert proc.returncode == 0 and proc.stderr == b""
    assert proc.stdout.decode().strip() == f"(1000,) int64 {expected.sum()}"


def test_npy_batch_into_numpy_load(tmp_path):
    out = tmp_path / "d.npy"
    proc = shell(f"printf '1 2 3\\n3 2 1\\n' | gumbel sample -n 333 --seed 4 -F npy > {out}")
    assert proc.returncode == 0 and proc.stderr == b""
    np.testing.assert_array_equal(np.load(out), gumbelcli.sample([[1, 2, 3], [3, 2, 1]], n=333, seed=4))


def test_json_through_json_tool():
    proc = shell(f"gumbel sample a=1 b=2 -n 20 --seed 5 --format json | {PY} -m json.tool")
    assert proc.returncode == 0 and proc.stderr == b""
    labels = ["a", "b"]
    assert json.loads(proc.stdout) == [labels[d] for d in gumbelcli.sample([1, 2], n=20, seed=5)]
    proc = shell(f"gumbel sample 1 2 -n 20 --seed 5 --format json --report | {PY} -m json.tool")
    assert proc.returncode == 0 and set(json.loads(proc.stdout)) == {"draws", "report"}


def test_csv_read_by_the_csv_module():
    labels = ["x,y", 'say "hi"', "plain"]
    option = shlex.quote(",".join('"' + x.replace('"', '""') + '"' for x in labels))
    reader = f"{PY} -c \"import csv, sys, json; print(json.dumps(list(csv.reader(sys.stdin))))\""
    proc = shell(f"gumbel sample 1 1 1 -n 50 --seed 6 --labels {option} --format csv | {reader}")
    assert proc.returncode == 0 and proc.stderr == b""
    rows = json.loads(proc.stdout)
    assert rows[0] == ["draw"]
    assert [r[0] for r in rows[1:]] == [labels[d] for d in gumbelcli.sample([1, 1, 1], n=50, seed=6)]


def test_report_goes_to_stderr_and_data_to_stdout(tmp_path):
    report = tmp_path / "report.txt"
    proc = shell(f"gumbel sample 1 2 -n 1000 --seed 3 --report 2>{report} | wc -l; cat {report}")
    first, *rest = proc.stdout.decode().splitlines()
    assert first.strip() == "1000"
    text = "\n".join(rest)
    assert "statistic = " in text and "df = 1" in text and "seed = 3" in text


# --------------------------------------------------------------------------------------------
# Standard input in every shell form


def test_stdin_from_printf_heredoc_and_redirect(tmp_path):
    expected = shell("gumbel sample 0.2 0.3 0.5 -n 30 --seed 7").stdout
    assert len(expected.splitlines()) == 30
    data = tmp_path / "probs.txt"
    data.write_text("0.2 0.3 0.5\n")
    forms = [
        "printf '0.2 0.3 0.5\\n' | gumbel sample -n 30 --seed 7",
        "printf '0.2,0.3,0.5' | gumbel sample -n 30 --seed 7 -f -",
        "gumbel sample -n 30 --seed 7 <<'EOF'\n# a comment\n0.2 0.3 0.5\nEOF",
        f"gumbel sample -n 30 --seed 7 < {data}",
        f"gumbel sample -n 30 --seed 7 -f {data}",
        f"cat {data} | gumbel sample -n 30 --seed 7",
    ]
    for form in forms:
        proc = shell(form)
        assert (proc.returncode, proc.stderr, proc.stdout) == (0, b"", expected), form


def test_empty_stdin_is_an_error():
    proc = shell("printf '' | gumbel sample -n 5")
    assert proc.returncode == 2 and proc.stdout == b""
    lines = proc.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gumbel: error: no values in <stdin>")


def test_negative_logits_as_words_in_a_real_shell():
    proc = shell("gumbel sample --logits 0 -1 -2 -n 10 --seed 1; gumbel sample --logits 0 -inf -n 3")
    assert proc.returncode == 0 and proc.stderr == b""
    assert proc.stdout.decode().split()[10:] == ["0", "0", "0"]


@pytest.mark.parametrize("args", ["1 -2", "1 2 -n 0", "1 2 --threads 0", "1 2 --format bogus", "1 2 --bogus"])
def test_bad_input_in_a_real_process(args):
    proc = shell(f"gumbel sample {args}")
    assert proc.returncode == 2 and proc.stdout == b""
    lines = proc.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gumbel: error: "), proc.stderr


# --------------------------------------------------------------------------------------------
# The program itself


def test_python_m_gumbelcli_is_gumbel():
    a = shell("gumbel sample 1 2 3 -n 100 --seed 8 -F csv")
    b = shell(f"{PY} -m gumbelcli sample 1 2 3 -n 100 --seed 8 -F csv")
    assert a.returncode == b.returncode == 0 and a.stdout == b.stdout and a.stderr == b.stderr == b""
    assert shell(f"{PY} -m gumbelcli --version").stdout == shell("gumbel --version").stdout
    bad = shell(f"{PY} -m gumbelcli sample 1 -2")
    assert bad.returncode == 2 and bad.stderr.startswith(b"gumbel: error: ")


def test_version():
    proc = shell("gumbel --version")
    assert proc.returncode == 0 and proc.stdout.decode() == f"gumbel {gumbelcli.__version__}\n"


def test_help_lists_examples_and_exit_codes():
    proc = shell("gumbel sample --help")
    text = " ".join(proc.stdout.decode().split())
    assert proc.returncode == 0 and proc.stderr == b""
    assert "Examples:" in text and "gumbel sample --logits 0 -1 -2" in text
    assert "Exit codes: 0 success" in text and "2 bad usage or input" in text and "130 interrupted" in text
    top = " ".join(shell("gumbel --help").stdout.decode().split())
    assert "sample" in top and "Exit codes" in top


def test_sigterm_during_output_leaves_no_file(tmp_path):
    """An interrupted run never leaves a half-written --output file (nor its temporary)."""
    out = tmp_path / "draws.txt"
    # the program itself in the background (not the `gumbel` shell function), so $! is its pid
    proc = shell(f"{GUMBEL} sample 0.5 0.5 -n 1e9 -o {out} & pid=$!\nsleep 1.5\nkill -TERM $pid\nwait $pid\necho $?")
    assert proc.stdout.decode().split()[-1] == "143"  # 128 + SIGTERM
    assert "Traceback" not in proc.stderr.decode()
    assert os.listdir(tmp_path) == []


# --------------------------------------------------------------------------------------------
# On a terminal (a pty): the table by default, and binary output refused


def run_on_a_terminal(args: str, columns: int = 80, *, color: bool = False) -> tuple[int, str, str]:
    """Run gumbel with stdout on a pty of ``columns`` columns (80: the usual default).

    ``NO_COLOR=1`` is set unless ``color`` is true.
    """
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    env = {**os.environ, "NO_COLOR": "1", "TERM": "xterm"}
    for name in ("GUMBEL_THREADS", "COLUMNS", "LINES", "CI", "FORCE_COLOR", "TTY_COMPATIBLE") + (("NO_COLOR",) if color else ()):
        env.pop(name, None)
    proc = subprocess.Popen(
        ["bash", "-c", f"{GUMBEL} {args}"], stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.PIPE, env=env
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO once the program has exited and the pty is drained
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    stderr = proc.stderr.read().decode()
    proc.stderr.close()
    return proc.wait(timeout=60), b"".join(chunks).decode(errors="replace"), stderr


@pytest.mark.parametrize("columns", [80, 120])
def test_on_a_terminal_the_default_is_the_report_table(columns):
    code, out, err = run_on_a_terminal("sample red=1 blue=3 -n 2000 --seed 3", columns)
    assert code == 0 and err == ""
    counts = gumbelcli.sample([1, 3], n=2000, seed=3, counts=True)
    for fragment in ("category", "target p", "expected", "residual", "red", "blue", "statistic = ", "df = 1",
                     "seed = 3", str(counts[0]), f"{counts[0] / 2000:.6f}"):
        assert fragment in out, out
    assert "…" not in out  # no number or header cut short, even on an 80-column terminal
    assert "█" in out and "│" in out  # the bars, even on an 80-column terminal
    assert ("observed █ vs expected │" in out) == (columns > 80)  # the long header where it fits
    assert max(len(line) for line in out.splitlines()) <= columns


def test_on_a_terminal_npy_is_refused():
    code, out, err = run_on_a_terminal("sample 1 2 -n 5 --format npy")
    assert code == 2 and "NUMPY" not in out
    assert err.startswith("gumbel: error: --format npy writes binary data") and len(err.splitlines()) == 1


def test_on_a_terminal_no_report_prints_the_draws():
    code, out, err = run_on_a_terminal("sample 1 2 -n 5 --seed 1 --no-report")
    assert code == 0 and err == ""
    assert out.split() == [str(d) for d in gumbelcli.sample([1, 2], n=5, seed=1)]


def test_csv_counts_into_python(tmp_path):
    proc = shell("gumbel sample a=1 b=1 c=2 -n 4000 --seed 2 --counts -F csv")
    rows = list(csv.DictReader(io.StringIO(proc.stdout.decode())))
    assert [r["label"] for r in rows] == ["a", "b", "c"]
    assert [int(r["count"]) for r in rows] == gumbelcli.sample([1, 1, 2], n=4000, seed=2, counts=True).tolist()


# --------------------------------------------------------------------------------------------
# verify and relax in pipelines (issue 5)


@pytest.mark.parametrize("fmt", ["plain", "json", "npy"])  # every format is read in-process in test_verify.py
def test_sample_into_verify(fmt):
    # False alarm 1% (one test at α = 0.01); the seed is fixed, so the outcome is too.
    out, err, status = pipe_status(f"gumbel sample a=.2 b=.8 -n 2000 --seed 3 -F {fmt} | gumbel verify a=.2 b=.8 --samples -")
    assert status == [0, 0] and err == ""
    assert out.splitlines()[-1].startswith("# PASS: 1 test consistent with the target")


def test_sample_counts_into_verify_counts():
    out, err, status = pipe_status(
        "gumbel sample a=.2 b=.8 -n 2000 --seed 3 --counts -F csv | gumbel verify a=.2 b=.8 --samples - --counts -F json"
    )
    assert status == [0, 0] and err == ""
    doc = json.loads(out)
    assert doc["tests"][0]["n"] == 2000 and not doc["rejected"]


def test_a_rejection_in_a_pipeline_exits_1_with_the_verdict_on_stdout():
    # 2000 draws of (0.5, 0.5) against (0.2, 0.8): a 45-sigma miss, rejected for any seed.
    out, err, status = pipe_status("gumbel sample a=1 b=1 -n 2000 --seed 3 | gumbel verify a=.2 b=.8 --samples -")
    assert status == [0, 1] and err == ""
    assert out.splitlines()[-1].startswith("# REJECTED")


def test_verify_and_relax_data_for_other_programs():
    reader = f"{PY} -c \"import csv, sys, json; print(json.dumps(list(csv.DictReader(sys.stdin))))\""
    proc = shell(f"gumbel verify 0.2 0.8 -n 1e4 --seed 1 --format csv | {reader}")
    assert proc.returncode == 0 and proc.stderr == b""
    (row,) = json.loads(proc.stdout)
    assert row["test"] == "target" and row["n"] == "10000" and row["verdict"] == "pass"
    proc = shell(f"gumbel verify 0.2 0.8 -n 1e4 --seed 1 --format json | {PY} -m json.tool")
    assert proc.returncode == 0 and proc.stderr == b""
    assert json.loads(proc.stdout)["tests"][0]["n"] == 10000
    proc = shell(f"gumbel relax a=1 b=3 --tau 0.5 -n 3 --seed 2 --format csv | {reader}")
    assert proc.returncode == 0 and proc.stderr == b""
    rows = json.loads(proc.stdout)
    assert len(rows) == 3 and all(set(r) == {"a", "b"} for r in rows)
    assert all(abs(float(r["a"]) + float(r["b"]) - 1) < 1e-12 for r in rows)
    proc = shell(f"gumbel relax a=1 b=3 --tau 0.5,2 -n 3 --seed 2 --format json | {PY} -m json.tool")
    assert proc.returncode == 0 and proc.stderr == b""
    assert [item["tau"] for item in json.loads(proc.stdout)] == [0.5, 2.0] * 3


def test_verify_reads_samples_from_printf_a_heredoc_and_a_file(tmp_path):
    data = tmp_path / "draws.txt"
    data.write_text("a\nb\nb\nb\na\nb\nb\nb\n")
    forms = [
        "printf 'a\\nb\\nb\\nb\\na\\nb\\nb\\nb\\n' | gumbel verify a=1 b=3 --samples - -F json",
        "gumbel verify a=1 b=3 --samples - -F json <<'EOF'\na\nb\nb\nb\na\nb\nb\nb\nEOF",
        f"gumbel verify a=1 b=3 --samples - -F json < {data}",
        f"gumbel verify a=1 b=3 --samples {data} -F json",
    ]
    for form in forms:
        proc = shell(form)
        assert proc.returncode == 0 and proc.stderr == b"", (form, proc.stderr)
        counts = [c["count"] for c in json.loads(proc.stdout)["tests"][0]["categories"]]
        assert counts == [2, 6], form


def test_relax_reads_its_target_from_printf_a_heredoc_and_a_file(tmp_path):
    data = tmp_path / "target.txt"
    data.write_text("1 3\n")
    expected = shell("gumbel relax 1 3 --tau 0.5 -n 4 --seed 2").stdout
    assert len(expected.splitlines()) == 4
    forms = [
        "printf '1 3\\n' | gumbel relax --tau 0.5 -n 4 --seed 2",
        "gumbel relax --tau 0.5 -n 4 --seed 2 <<'EOF'\n1 3\nEOF",
        f"gumbel relax --tau 0.5 -n 4 --seed 2 < {data}",
        f"gumbel relax --tau 0.5 -n 4 --seed 2 -f {data}",
    ]
    for form in forms:
        proc = shell(form)
        assert (proc.returncode, proc.stderr, proc.stdout) == (0, b"", expected), form


@pytest.mark.parametrize("fmt", ["plain", "csv", "jsonl"])
def test_a_billion_relaxed_samples_into_head_stop_at_once(fmt):
    """As for sample: the subprocess timeout only guards against a hang; no time is asserted."""
    out, err, status = pipe_status(f"gumbel relax 0.5 0.5 --tau 1 -n 1e9 --seed 1 -F {fmt} | head -1")
    assert len(out.splitlines()) == 1 and err == "" and status == [141, 0]


# --------------------------------------------------------------------------------------------
# --output is all or nothing, even for a run killed with SIGKILL


@contextlib.contextmanager
def _started(args: list[str], folder) -> Iterator[subprocess.Popen]:
    """``gumbel ARGS`` running in ``folder``; killed on the way out whatever happened (no orphan
    left computing 1e10 draws when an assertion fails)."""
    # one BLAS thread: more than one thread in the process then means the engine's workers run
    env = {k: v for k, v in os.environ.items() if k != "GUMBEL_THREADS"}
    env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    proc = subprocess.Popen(
        [*shlex.split(GUMBEL), *args], cwd=folder, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, env=env,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=60)


def _wait_until_working(proc: subprocess.Popen, folder, *, writing: bool = True) -> None:
    """Wait until ``proc`` has a file open in ``folder`` (its output, named or not), or, when it
    counts before it writes (``writing`` False), until its worker threads run."""
    import time

    deadline = time.monotonic() + 60  # a guard against a hang, not a speed assertion
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        try:
            if writing:
                links = [os.readlink(f"/proc/{proc.pid}/fd/{fd}") for fd in os.listdir(f"/proc/{proc.pid}/fd")]
                if any(link.startswith(str(folder)) for link in links):
                    return
            elif len(os.listdir(f"/proc/{proc.pid}/task")) > 1:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise AssertionError("the program never started its work")


COUNTS_RUN = ["sample", "0.5", "0.5", "-n", "1e10", "--counts", "-o", "out.txt"]
DRAWS_RUN = ["sample", "0.5", "0.5", "-n", "1e9", "-o", "out.txt"]
RELAX_RUN = ["relax", "0.5", "0.5", "--tau", "1", "-n", "1e9", "-o", "out.txt"]


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc to see the open output")
@pytest.mark.parametrize(
    "args, how",
    [(COUNTS_RUN, "SIGKILL"), (DRAWS_RUN, "SIGKILL"), (RELAX_RUN, "SIGKILL"), (DRAWS_RUN, "SIGINT"), (RELAX_RUN, "SIGTERM")],
    ids=["counts-SIGKILL", "draws-SIGKILL", "relax-SIGKILL", "draws-SIGINT", "relax-SIGTERM"],
)
def test_a_killed_output_run_leaves_no_file_and_no_temporary(tmp_path, args, how):
    import signal

    (tmp_path / "old.txt").write_text("old\n")
    with _started(args, tmp_path) as proc:
        _wait_until_working(proc, tmp_path, writing="--counts" not in args)
        proc.send_signal(getattr(signal, how))
        _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == {"SIGKILL": -9, "SIGTERM": 143, "SIGINT": 130}[how]
    assert b"Traceback" not in stderr
    assert sorted(os.listdir(tmp_path)) == ["old.txt"]  # no out.txt, no .out.txt.*.part


def test_an_interrupted_output_run_keeps_the_file_it_would_replace(tmp_path):
    import signal

    (tmp_path / "out.txt").write_text("old\n")
    with _started(["sample", "0.5", "0.5", "-n", "1e9", "-o", "out.txt"], tmp_path) as proc:
        _wait_until_working(proc, tmp_path)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
    assert os.listdir(tmp_path) == ["out.txt"] and (tmp_path / "out.txt").read_text() == "old\n"


# --------------------------------------------------------------------------------------------
# Pictures on a terminal, plain text elsewhere


ESC = "\x1b["


def test_colour_on_a_terminal_and_none_with_no_color():
    code, out, _ = run_on_a_terminal("sample red=1 blue=3 -n 2000 --seed 3", color=True)
    assert code == 0 and ESC in out  # styled: the test below means something
    code, out, _ = run_on_a_terminal("sample red=1 blue=3 -n 2000 --seed 3")
    assert code == 0 and ESC not in out and "█" in out  # NO_COLOR: plain text, the bars still drawn
    code, out, _ = run_on_a_terminal("verify red=1 blue=3 -n 2000 --seed 3")
    assert code == 0 and ESC not in out and "█" in out


def test_a_report_on_a_non_terminal_stderr_is_plain_text(tmp_path):
    report = tmp_path / "report.txt"
    for command in ["sample red=1 blue=3 -n 2000 --seed 3 --report", "relax red=1 blue=3 --tau 0.5,2 -n 500 --seed 3 --report"]:
        proc = subprocess.run(
            ["bash", "-c", f"{GUMBEL} {command} > /dev/null 2> {shlex.quote(str(report))}"],
            env={k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "GUMBEL_THREADS")},
            capture_output=True,
            timeout=60,
        )
        text = report.read_text()
        assert proc.returncode == 0 and "statistic = " in text, command
        assert ESC not in text and "█" not in text, command  # no styles, no bars: a plain table


def test_errors_are_one_plain_line_on_a_terminal_too():
    code, out, err = run_on_a_terminal("sample 0.2 -0.8", color=True)
    assert code == 2 and out == "" and ESC not in err
    assert err.splitlines() == [
        "gumbel: error: weight -0.8 at position 2 is negative; --probs accepts non-negative finite weights "
        "(use --logits for log-probabilities)"
    ]


@pytest.mark.parametrize("columns", [80, 120])
def test_relax_on_a_terminal_draws_the_mean_largest_coordinate_per_tau(columns):
    code, out, err = run_on_a_terminal("relax red=1 blue=3 green=2 --tau 0.1,1,10 -n 2000 --seed 3", columns)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= columns and "…" not in out
    assert "mean max y: bars from 1/K = 0.333 (centre of the simplex) to 1 (a vertex)" in out
    bars = {line.split()[2]: line for line in lines if line.startswith("τ = ")}
    assert list(bars) == ["0.1", "1", "10"]
    # colder is closer to a vertex: longer bars
    lengths = [bars[t].count("█") for t in ("0.1", "1", "10")]
    assert lengths[0] > lengths[1] > lengths[2]
    assert "obs █ exp │" in out or "observed █ vs expected │" in out  # the argmax frequencies, as bars


def test_relax_piped_has_no_bars():
    proc = shell("gumbel relax red=1 blue=3 green=2 --tau 0.1,1,10 -n 2000 --seed 3 --format table")
    text = proc.stdout.decode()
    assert proc.returncode == 0 and "mean max y" in text
    assert "█" not in text and "τ = " not in text and "bars from" not in text


def test_help_has_a_table_of_every_exit_code():
    from gumbelcli.errors import ExitCode

    for command in ["--help", "sample --help", "verify --help", "relax --help"]:
        lines = [line.strip(" │") for line in shell(f"gumbel {command}").stdout.decode().splitlines()]
        start = lines.index("Exit codes:")
        end = lines.index("", start)
        table = {line.split()[0]: line for line in lines[start + 1 : end]}
        assert {str(int(code)) for code in ExitCode} | {"143"} == set(table), (command, table)  # 143: SIGTERM
