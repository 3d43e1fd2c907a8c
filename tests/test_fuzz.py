"""Bad input never crashes: hypothesis feeds arbitrary words, bytes and option values to every command.

Whatever comes in — as VALUES, as a ``--file`` of any suffix, on standard input, as ``--samples``,
as the value of any option — a run ends in one of these ways, and no other:

- exit 0: it worked (stderr empty unless a report was asked for);
- exit 2: bad usage or input, and stderr is exactly one line ``gumbel: error: ...``, stdout empty;
- exit 1: only for ``gumbel verify`` (or ``sample --check``), only as a *verdict*: a test rejected the
  samples, which stdout says (``REJECTED``, ``reject``, ``"rejected": true``) and stderr is empty.

Never a traceback, never an exception escaping the program (CliRunner would record it with exit 1).

The bulk runs in-process (CliRunner, a few milliseconds a run, ``-n 3`` draws at most a few
hundred); a few examples run the real program with real standard input and real files. The
settings are fixed (derandomized, no example database), so CI runs the same examples every time:
``EXAMPLES`` below adds up to more than 2,000.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import warnings
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gumbelcli.errors import InputError
from gumbelcli.inputs import parse_count
from conftest import GUMBEL, invoke

#: max_examples of each property below; the total is what one CI run executes.
EXAMPLES = {
    "sample_words": 400,
    "verify_words": 250,
    "relax_words": 250,
    "files": 400,
    "stdin": 200,
    "samples": 300,
    "options": 350,
    "real_processes": 12,
}


#: ``GUMBEL_FUZZ_SCALE=10 python -m pytest tests/test_fuzz.py`` explores: ten times the examples,
#: freshly random ones each run (CI leaves it unset: the fixed, derandomized examples).
SCALE = float(os.environ.get("GUMBEL_FUZZ_SCALE", "0") or 0)


def fuzz_settings(name: str) -> settings:
    return settings(
        max_examples=max(1, round(EXAMPLES[name] * SCALE)) if SCALE else EXAMPLES[name],
        derandomize=not SCALE,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


def test_the_fuzz_runs_at_least_2000_examples():
    assert sum(EXAMPLES.values()) >= 2000


# --------------------------------------------------------------------------------------------
# strategies

#: Words people (and shells) actually produce, near-misses of valid ones, and option names.
WORDS = [
    "0", "-0", "1", "-1", "2", "0.5", ".5", "5.", "1e3", "1e308", "1e309", "-1e309", "1e-320", "4.9e-324",
    "inf", "-inf", "+inf", "Infinity", "nan", "-nan", "NaN", "1_000", "0x10", "1e", "e1", "--1", "+-1", "1/2",
    "a=1", "b=2", "a=0", "a=-inf", "=", "a=", "=1", "a==1", "a=1=2", "a=1,b=2", ",", ",,", "1,", ",1", "1,,2",
    "1, 2", " ", "", "\t", "\n", "\x00", "\x1b[31m", "[bold]x[/]", "١", "½", "∞", "𝟙", "٣.٥", "1\u00a02",
    "-", "--", "-n", "--draws", "--tau", "--seed", "-s", "--probs", "--logits", "--labels", "-l", "--file",
    "-f", "--format", "-F", "--counts", "-c", "--report", "--no-report", "--check", "--alpha", "--stat",
    "--noise", "--monte-carlo", "-B", "--samples", "--hard", "--log", "--log-prob", "--no-noise", "-t",
    "--threads", "--output", "-o", "--help", "-h", "--version", "--bogus", "-x", "-1e3", "-0.5", "-inf,-1",
    "csv", "json", "npy", "table", "plain", "gaussian", "g", "cressie-read", "3k", "2M", "1G", "1.5k",
    "-k", "--per-draw", "--without-replacement", "--temperature",
]

#: A token parsed as a count above this is replaced by a small one: the fuzz tests input handling,
#: not patience (an -n or --monte-carlo of 1e12 is valid and would simply run for hours).
MAX_WORK = 64


def cheap(word: str) -> str:
    try:
        return "3" if parse_count(word) > MAX_WORK else word
    except InputError:
        return word


number = st.one_of(
    st.integers(0, 9).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(min_value=0, max_value=1e3).map(lambda x: f"{x:g}"),
)
#: Numbers weigh as much as everything else together, so that many runs get past the parser.
word = st.one_of(
    number, number, st.sampled_from(WORDS), st.text(max_size=12), st.from_regex(r"-?[0-9.,eE_+-]{1,10}", fullmatch=True)
)
words = st.lists(word, max_size=8).map(lambda ws: [cheap(w) for w in ws])


def npy_bytes() -> st.SearchStrategy[bytes]:
    """Valid .npy headers (any dtype, any shape, even lying ones) followed by arbitrary data."""
    descr = st.sampled_from(["<f8", "<i8", "|u1", "<f4", ">f8", "|b1", "<c16", "|O", "<U3", "|S2", "<M8[s]", "bogus"])
    shape = st.lists(st.integers(min_value=0, max_value=6), max_size=3).map(tuple)
    header = st.builds(
        lambda d, s, f: "{" + f"'descr': '{d}', 'fortran_order': {f}, 'shape': {s!r}, " + "}", descr, shape, st.booleans()
    )
    return st.builds(
        lambda h, data: b"\x93NUMPY\x01\x00" + len(h.encode()).to_bytes(2, "little") + h.encode() + data,
        header,
        st.binary(max_size=96),
    ) | st.builds(lambda data: b"\x93NUMPY" + data, st.binary(max_size=64))


def real_npy() -> st.SearchStrategy[bytes]:
    """Well-formed arrays of odd content: NaN, inf, negatives, 0-D, 3-D, empty, booleans."""
    import io

    floats = st.floats(allow_nan=True, allow_infinity=True, width=64)
    arrays = st.one_of(
        st.lists(floats, max_size=6).map(np.array),
        st.lists(st.lists(floats, min_size=2, max_size=2), max_size=3).map(np.array),
        st.integers(-5, 5).map(lambda i: np.array(i)),
        st.just(np.zeros((2, 2, 2))),
        st.lists(st.booleans(), max_size=4).map(lambda b: np.array(b, dtype=bool)),
        st.lists(st.integers(-(2**63), 2**63 - 1), min_size=1, max_size=4).map(lambda v: np.array(v, dtype=np.int64)),
    )

    def save(a: np.ndarray) -> bytes:
        buf = io.BytesIO()
        np.save(buf, a, allow_pickle=False)
        return buf.getvalue()

    return arrays.map(save)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10, 10**30), st.floats(), st.text(max_size=4)),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(max_size=3), children, max_size=4)),
    max_leaves=12,
)
text_lines = st.lists(
    st.tuples(st.lists(word, max_size=5), st.sampled_from([" ", ",", "\t", ", "])).map(lambda t: t[1].join(t[0])),
    max_size=5,
).map("\n".join)

#: Draws and counts as `gumbel sample` writes them, with a few wrong ones among them.
draw_lines = st.lists(
    st.one_of(st.sampled_from(["0", "1", "2", "a", "b", "0", "1", "2", "a", "b", "3", "-1", "1.0", "c", "", " 1 "]), word),
    min_size=1,
    max_size=30,
).map(lambda ws: "\n".join(ws).encode("utf-8", "surrogatepass"))
table_lines = st.lists(
    st.lists(st.floats(min_value=0, max_value=10), min_size=1, max_size=4).map(lambda xs: " ".join(f"{x:g}" for x in xs)),
    min_size=1,
    max_size=3,
).map(lambda rows: "\n".join(rows).encode())

#: Arbitrary bytes, and bytes shaped like each input format (so the parsers get past their first check).
contents = st.one_of(
    draw_lines,
    table_lines,
    st.binary(max_size=160),
    st.text(max_size=80).map(lambda t: t.encode("utf-8", "surrogatepass")),
    text_lines.map(lambda text: text.encode("utf-8", "surrogatepass")),
    json_values.map(lambda v: json.dumps(v, allow_nan=True).encode()),
    npy_bytes(),
    real_npy(),
    st.sampled_from([b"\xef\xbb\xbf0.5 0.5", b"a,b\n1,2\n", b"a\tb\n1\t2\n", b'{"a": 1, "b": 3}', b"[[1,2],[3]]",
                     b"0.5 0.5\r\n0.2 0.8\r\n", b"# only a comment\n", b"1 2\n3\n", b"\x00\x00", b"1e999 1"]),
)


def half(a: st.SearchStrategy[bytes], b: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    """``a`` half of the time (``st.one_of`` would flatten ``b``'s branches and give ``a`` less)."""
    return st.sampled_from([a, b]).flatmap(lambda s: s)


suffixes = st.sampled_from(["", ".txt", ".csv", ".tsv", ".json", ".npy", ".NPY", ".dat"])


# --------------------------------------------------------------------------------------------
# the property every run must have


def outcome(args: Sequence[str], input: bytes | None = None):
    """Run ``gumbel ARGS`` in-process and check it ended in one of the three allowed ways.

    A warning (NumPy's RuntimeWarning...) would be printed on a real stderr: none may be raised.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = invoke(list(args), input=input if input is not None else b"", env={"GUMBEL_THREADS": None, "NO_COLOR": "1"})
    check(result.exit_code, result.stdout_bytes, result.stderr_bytes, args, result.exception)
    assert not caught, (shlex.join(args), [str(w.message) for w in caught])
    return result


def check(code: int, stdout: bytes, stderr: bytes, args: Sequence[str], exception: BaseException | None = None) -> None:
    where = f"gumbel {shlex.join(args)}"
    if exception is not None and not isinstance(exception, SystemExit):
        raise AssertionError(f"{where} raised {exception!r}") from exception
    err = stderr.decode("utf-8", "replace")
    out = stdout.decode("utf-8", "replace")
    assert "Traceback" not in err and "Traceback" not in out, (where, err)
    if code == 2:
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("gumbel: error: "), (where, err)
        assert stdout == b"", (where, out[:200])
    elif code == 1:
        rejecting = args[:1] == ["verify"] or "--check" in args
        assert rejecting, (where, "exit 1 from a command that has no test to reject", err)
        assert "gumbel: error" not in err, (where, err)
        verdicts = ("REJECTED", "reject", '"rejected": true')
        assert any(v in out for v in verdicts) or "--check" in args, (where, out[-300:])
    else:
        assert code == 0, (where, code, err)
        if "--report" not in args:  # a report asked for goes to stderr; nothing else does
            assert err == "", (where, err)


def ends_well(args: Sequence[str], input: bytes | None = None) -> None:
    outcome(args, input)


@pytest.fixture(autouse=True, scope="module")
def workdir(tmp_path_factory):
    """A folder of our own, entered for the whole module: input files and any --output land here."""
    path = tmp_path_factory.mktemp("fuzz")
    here = os.getcwd()
    os.chdir(path)
    yield path
    os.chdir(here)


# --------------------------------------------------------------------------------------------
# arbitrary words as VALUES (and as options: the words include option names)


@fuzz_settings("sample_words")
@given(words)
def test_sample_words(ws):
    ends_well(["sample", "-n", "3", "--seed", "1", *ws])


@fuzz_settings("verify_words")
@given(words.filter(bool))
def test_verify_words(ws):
    ends_well(["verify", "-n", "5", "--seed", "1", *ws])


@fuzz_settings("relax_words")
@given(words)
def test_relax_words(ws):
    ends_well(["relax", "--tau", "0.5", "-n", "3", "--seed", "1", *ws])


# --------------------------------------------------------------------------------------------
# arbitrary bytes as files and standard input


COMMANDS = {
    "sample": ["sample", "-n", "3", "--seed", "1"],
    "verify": ["verify", "-n", "5", "--seed", "1"],
    "relax": ["relax", "--tau", "1,0.1", "-n", "3", "--seed", "1"],
}
command = st.sampled_from(sorted(COMMANDS))
extras = st.sampled_from([[], ["--logits"], ["--labels", "a,b,c"], ["--format", "json"], ["--format", "npy"], ["--counts"]])


@fuzz_settings("files")
@given(command, contents, suffixes, extras)
def test_files(workdir, cmd, data, suffix, extra):
    path = workdir / f"input{suffix}"
    path.write_bytes(data)
    args = COMMANDS[cmd] + ["--file", path.name] + extra
    ends_well(args)


@fuzz_settings("stdin")
@given(command, contents, st.booleans(), extras)
def test_stdin(workdir, cmd, data, dash, extra):
    args = COMMANDS[cmd] + (["-f", "-"] if dash else []) + extra
    ends_well(args, input=data)


TARGETS = [["0.2", "0.3", "0.5"], ["a=1", "b=2"], ["--logits", "0", "-inf", "1"], ["1"], ["0", "1", "0"]]


@fuzz_settings("samples")
@given(st.sampled_from(TARGETS), half(draw_lines, contents), st.sampled_from(["-", "file"]), suffixes, st.sampled_from([False, False, True]), extras)
def test_verify_samples(workdir, target, data, where, suffix, counts, extra):
    """Anyone's samples, as arbitrary bytes: exit 1 is allowed here, as a verdict (the test rejects)."""
    if where == "file":
        path = workdir / f"samples{suffix}"
        path.write_bytes(data)
        source, stdin = path.name, None
    else:
        source, stdin = "-", data
    args = ["verify", *target, "--samples", source] + (["--counts"] if counts else [])
    args += [] if extra in (["--counts"], ["--format", "npy"]) else extra
    ends_well(args, input=stdin)


# --------------------------------------------------------------------------------------------
# odd option values


OPTION_VALUES = {
    "-n": ["0", "-1", "1.5", "1e-3", "nan", "inf", "1e400", "9" * 30, "1k5", "k", "", " 3 ", "3"],
    "--tau": ["0", "-1", "nan", "inf", "1e-320", "1e308", "0.5,", ",", "1,,2", "1;2", "", "0.1,1,10", "1e-300"],
    "--alpha": ["0", "1", "-0.1", "nan", "inf", "1e-320", "0.999999", "x", "", "0.05"],
    "--seed": ["-1", "1.5", "1e3", "9" * 40, "x", "", "0", "18446744073709551616"],
    "--threads": ["0", "-2", "1.5", "x", "", "9" * 25, "3", "+2", " 2"],
    "--format": ["", "CSV", "Json", "npy", "xml", "table", "tsv", "jsonl", "auto", "plain"],
    "--monte-carlo": ["0", "-1", "1.5", "x", "", "1", "2", "19"],
    "--labels": ["", ",", "a", "a,b,c", "a,a,b", '"a,b",c', '"', "a\nb,c", "a,\x00,b", "x" * 300, " , ,"],
    "--stat": ["", "chi", "G", "pearson", "neyman", "cressie-read"],
    "--noise": ["", "uniform", "GAUSSIAN", "gumbel"],
    "--output": ["", ".", "/", "out.txt", "no/such/dir/out.txt", "out.npy", "\x00"],
    "--file": ["", ".", "/", "missing.txt", "\x00", "-"],
    "--temperature": ["0", "-1", "nan", "inf", "1e-320", "1e308", "0.5", "2", "", "x"],
    "-k": ["0", "-1", "1", "2", "3", "4", "1.5", "", "x", "9" * 20],
}
OPTIONS_OF = {
    "sample": ["-n", "--alpha", "--seed", "--threads", "--format", "--labels", "--output", "--file", "--temperature", "-k"],
    "verify": [
        "-n", "--alpha", "--seed", "--threads", "--format", "--monte-carlo", "--labels", "--stat", "--noise", "--file",
        "--temperature", "-k",
    ],
    "relax": ["-n", "--tau", "--alpha", "--seed", "--threads", "--format", "--labels", "--output", "--file"],
}
BASE = {
    "sample": ["sample", "0.2", "0.3", "0.5", "-n", "4", "--seed", "2"],
    "verify": ["verify", "0.2", "0.3", "0.5", "-n", "20", "--seed", "2"],
    "relax": ["relax", "0.2", "0.3", "0.5", "--tau", "0.5", "-n", "4", "--seed", "2"],
}


@st.composite
def option_runs(draw):
    cmd = draw(st.sampled_from(sorted(BASE)))
    names = draw(st.lists(st.sampled_from(OPTIONS_OF[cmd]), min_size=1, max_size=2, unique=True))
    args = list(BASE[cmd])
    for name in names:
        value = draw(st.one_of(st.sampled_from(OPTION_VALUES[name]), st.sampled_from(OPTION_VALUES[name]), st.text(max_size=8)))
        args += [name, cheap(value)]
    if draw(st.booleans()):
        flags = ["--counts", "--report", "--check", "--logits", "--hard", "--log", "--log-prob", "--no-noise"]
        args.append(draw(st.sampled_from(flags + ["--without-replacement"] * 3)))
    return args


@fuzz_settings("options")
@given(option_runs())
def test_option_values(workdir, args):
    if "--file" in args:  # VALUES and --file together are an error of their own; drop the VALUES
        args = [args[0]] + args[4:]
    ends_well(args)


# --------------------------------------------------------------------------------------------
# the real program: real standard input, real files, real argv


@fuzz_settings("real_processes")
@given(command, contents, st.sampled_from(["stdin", "file", "words"]))
def test_the_real_program(tmp_path_factory, cmd, data, how):
    folder = tmp_path_factory.mktemp("real")
    args = COMMANDS[cmd]
    stdin = None
    if how == "stdin":
        stdin = data
    elif how == "file":
        (folder / "in.dat").write_bytes(data)
        args = args + ["--file", "in.dat"]
    else:  # the bytes as command-line words (argv cannot hold NUL bytes)
        args = args + [cheap(w) for w in data.replace(b"\x00", b"").decode("utf-8", "replace").split()]
    env = {k: v for k, v in os.environ.items() if k != "GUMBEL_THREADS"}
    proc = subprocess.run(
        f"{GUMBEL} {shlex.join(args)}", shell=True, executable="/bin/bash", cwd=folder, input=stdin or b"",
        capture_output=True, timeout=120, env={**env, "NO_COLOR": "1"},
    )
    check(proc.returncode, proc.stdout, proc.stderr, args)
