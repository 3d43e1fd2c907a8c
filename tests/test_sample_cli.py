"""`gumbel sample` through the CLI in-process (CliRunner): every bad input, every output format for
draws and counts, reports, --check, --output, and byte-for-byte reproducibility.

The draws the CLI prints are compared with :func:`gumbelcli.sample` for the same seed (both use the
same engine), so each format test checks the *content*, not only the shape.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import stat
from unittest import mock

import numpy as np
import pytest

import gumbelcli
from conftest import assert_one_line_error, ok, run, small_chunks






BATCH_TEXT = "1 2 3\n3 2 1\n"
BATCH = [[1, 2, 3], [3, 2, 1]]


# --------------------------------------------------------------------------------------------
# Bad input: exit 2, one line `gumbel: error: ...` on stderr, nothing on stdout


def _dir(tmp):
    return str(tmp)


def _ragged_csv(tmp):
    path = tmp / "ragged.csv"
    path.write_text("1,2,3\n4,5\n")
    return str(path)


BAD = [
    # (id, args builder, stdin, env, fragment of the message)
    ("negative weight", lambda t: ["0.5", "-0.5"], None, None, "weight -0.5 at position 2 is negative"),
    ("NaN weight", lambda t: ["0.5", "nan"], None, None, "is NaN"),
    ("infinite weight", lambda t: ["0.5", "inf"], None, None, "infinity"),
    ("+inf logit", lambda t: ["--logits", "0", "+inf"], None, None, "is +inf"),
    ("NaN logit", lambda t: ["--logits", "0", "nan"], None, None, "is NaN"),
    ("all-zero row", lambda t: ["0", "0", "0"], None, None, "all weights in VALUES are zero"),
    ("all -inf row", lambda t: ["--logits", "-inf", "-inf"], None, None, "all logits in VALUES are -inf"),
    ("all-zero batch row", lambda t: [], "1 2\n0 0\n", None, "all weights in row 2"),
    ("empty piped stdin", lambda t: [], "", None, "empty"),
    ("empty stdin via -f -", lambda t: ["-f", "-"], "", None, "empty"),
    ("blank stdin", lambda t: [], "\n  \n", None, "empty"),
    ("ragged stdin rows", lambda t: [], "1 2 3\n4 5\n", None, "every row must have the same number"),
    ("ragged csv file", lambda t: ["-f", _ragged_csv(t)], None, None, "same number of categories"),
    ("non-numeric token", lambda t: ["0.5", "abc"], None, None, "'abc' at position 2 is not a number"),
    ("duplicate --labels", lambda t: ["--labels", "a,a", "1", "2"], None, None, "appears twice"),
    ("duplicate pair labels", lambda t: ["a=1", "a=2"], None, None, "appears twice"),
    ("label count mismatch", lambda t: ["--labels", "a,b,c", "1", "2"], None, None, "3 labels but the input has 2"),
    ("missing file", lambda t: ["-f", str(t / "nope.txt")], None, None, "No such file"),
    ("directory as file", lambda t: ["-f", _dir(t)], None, None, "Is a directory"),
    ("VALUES and --file", lambda t: ["-f", "x.txt", "1", "2"], None, None, "both given"),
    ("-n 0", lambda t: ["1", "2", "-n", "0"], None, None, "-n '0' is not positive"),
    ("-n -3", lambda t: ["1", "2", "-n", "-3"], None, None, "-n '-3' is not positive"),
    ("-n 1.5", lambda t: ["1", "2", "-n", "1.5"], None, None, "-n '1.5' is not a whole number"),
    ("-n abc", lambda t: ["1", "2", "-n", "abc"], None, None, "-n 'abc' is not a count"),
    ("--threads 0", lambda t: ["1", "2", "--threads", "0"], None, None, "--threads '0' is not positive"),
    ("--threads x", lambda t: ["1", "2", "--threads", "x"], None, None, "--threads 'x'"),
    ("--threads -2", lambda t: ["1", "2", "--threads", "-2"], None, None, "--threads '-2'"),
    ("GUMBEL_THREADS=0", lambda t: ["1", "2"], None, {"GUMBEL_THREADS": "0"}, "GUMBEL_THREADS '0' is not positive"),
    ("GUMBEL_THREADS=many", lambda t: ["1", "2"], None, {"GUMBEL_THREADS": "many"}, "GUMBEL_THREADS 'many'"),
    ("--alpha 2", lambda t: ["1", "2", "--alpha", "2"], None, None, "--alpha 2.0 is outside (0, 1)"),
    ("--alpha 0", lambda t: ["1", "2", "--alpha", "0"], None, None, "outside (0, 1)"),
    ("--alpha -0.5", lambda t: ["1", "2", "--alpha", "-0.5"], None, None, "outside (0, 1)"),
    ("--alpha nan", lambda t: ["1", "2", "--alpha", "nan"], None, None, "outside (0, 1)"),
    ("--seed -1", lambda t: ["1", "2", "--seed", "-1"], None, None, "--seed -1 is negative"),
    ("--seed x", lambda t: ["1", "2", "--seed", "x"], None, None, "'--seed'"),
    ("unknown option", lambda t: ["1", "2", "--bogus"], None, None, "no such option: --bogus"),
    ("--format bogus", lambda t: ["1", "2", "--format", "bogus"], None, None, "'bogus' is not one of"),
    ("--output in a missing folder", lambda t: ["1", "2", "-o", str(t / "no" / "x.txt")], None, None, "cannot write"),
    ("--output is a directory", lambda t: ["1", "2", "-o", _dir(t)], None, None, "is a directory"),
]


@pytest.mark.parametrize("name, build, stdin, env, fragment", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_one_error_line_and_exit_2(tmp_path, name, build, stdin, env, fragment):
    args = build(tmp_path)
    before = sorted(os.listdir(tmp_path))
    if "-n" not in args:
        args = [*args, "-n", "5"]
    result = run(["sample", *args], input=stdin, env=env)
    assert result.exit_code == 2, (result.exit_code, result.stderr, result.exception)
    assert result.stdout == ""
    assert_one_line_error(result.stderr)
    assert fragment in result.stderr, result.stderr
    # no output file and no leftover temporary file appeared
    assert sorted(os.listdir(tmp_path)) == before


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("1 2\n")
    path.chmod(0)
    result = run(["sample", "-f", path, "-n", "5"])
    assert result.exit_code == 2 and result.stdout == ""
    assert_one_line_error(result.stderr)
    assert "Permission denied" in result.stderr


def test_unknown_command_and_no_command():
    result = run(["smaple", "1", "2"])
    assert result.exit_code == 2 and result.stdout == ""
    assert_one_line_error(result.stderr)
    result = run([])  # no command: the help, exit 0
    assert result.exit_code == 0 and "sample" in result.stdout


def test_an_error_before_output_leaves_no_file(tmp_path):
    out = tmp_path / "draws.txt"
    result = run(["sample", "1", "-2", "-o", out])
    assert result.exit_code == 2
    assert_one_line_error(result.stderr)
    assert os.listdir(tmp_path) == []


def test_an_error_before_output_leaves_an_existing_file_untouched(tmp_path):
    out = tmp_path / "draws.txt"
    out.write_text("precious\n")
    result = run(["sample", "1", "2", "-n", "0", "-o", out])
    assert result.exit_code == 2
    assert out.read_text() == "precious\n" and os.listdir(tmp_path) == ["draws.txt"]


# --------------------------------------------------------------------------------------------
# Negative numbers are values, not options


@pytest.mark.parametrize(
    "values",
    [["0", "-1", "-2"], ["0,-1,-2"], ["-0.5", "-1e3", "-.25"], ["0", "-inf", "-Infinity"], ["-1", "-2", "-3"]],
)
def test_negative_logits_as_plain_words(values):
    result = ok(["sample", "--logits", *values, "-n", "10", "--seed", "1"])
    draws = [int(x) for x in result.stdout.split()]
    assert len(draws) == 10
    logits = [float(v) for word in values for v in word.split(",")]
    expected = gumbelcli.sample(logits=logits, n=10, seed=1).tolist()
    assert draws == expected
    assert all(np.isfinite(logits[d]) for d in draws)


def test_minus_inf_logit_is_never_drawn_from_the_cli():
    result = ok(["sample", "--logits", "0", "-inf", "-1", "-n", "2000", "--counts", "--seed", "2"])
    assert result.stdout.split()[1] == "0"


def test_after_double_dash_values_are_values():
    a = ok(["sample", "--logits", "-n", "6", "--seed", "3", "--", "-1", "-2"]).stdout
    b = ok(["sample", "--logits", "-1", "-2", "-n", "6", "--seed", "3"]).stdout
    assert a == b


# --------------------------------------------------------------------------------------------
# Draws in every format, one distribution and a batch


def reference(weights, n=40, seed=5, **kw) -> np.ndarray:
    return gumbelcli.sample(weights, n=n, seed=seed, **kw)


def cli_draws(fmt, batch=False, labels=None, extra=()):
    args = ["sample", "-n", "40", "--seed", "5", "--format", fmt, *extra]
    if labels:
        args += ["--labels", labels]
    if batch:
        return ok(args, input=BATCH_TEXT)
    return ok([*args, "1", "2", "3"])


def test_plain_single_and_batch():
    assert cli_draws("plain").stdout == "".join(f"{d}\n" for d in reference([1, 2, 3]))
    ref = reference(BATCH)
    assert cli_draws("plain", batch=True).stdout == "".join(f"{a} {b}\n" for a, b in ref.T)
    # auto is plain when piped
    assert cli_draws("auto").stdout == cli_draws("plain").stdout


def test_plain_with_labels():
    labels = ["ä", "beta", "c c"]
    result = cli_draws("plain", labels="ä,beta,c c")
    assert result.stdout.splitlines() == [labels[d] for d in reference([1, 2, 3])]


@pytest.mark.parametrize("fmt, delimiter", [("csv", ","), ("tsv", "\t")])
def test_csv_and_tsv(fmt, delimiter):
    rows = list(csv.reader(io.StringIO(cli_draws(fmt).stdout), delimiter=delimiter))
    assert rows[0] == ["draw"]
    assert [int(r[0]) for r in rows[1:]] == reference([1, 2, 3]).tolist()
    rows = list(csv.reader(io.StringIO(cli_draws(fmt, batch=True).stdout), delimiter=delimiter))
    assert rows[0] == ["row1", "row2"]
    assert np.array([[int(x) for x in r] for r in rows[1:]]).T.tolist() == reference(BATCH).tolist()


@pytest.mark.parametrize("fmt, delimiter", [("csv", ","), ("tsv", "\t")])
def test_labels_are_quoted_in_csv_and_tsv(fmt, delimiter):
    """A label with a comma, a quote or non-ASCII text survives a round trip through the csv module,
    for the draws and for the counts alike."""
    labels = ['x,y', 'say "hi"', '"quoted', "日本"]
    option = ",".join('"' + label.replace('"', '""') + '"' for label in labels)
    args = ["sample", "-n", "200", "--seed", "9", "--format", fmt, "--labels", option, "1", "1", "1", "1"]
    ref = reference([1, 1, 1, 1], n=200, seed=9)
    rows = list(csv.reader(io.StringIO(ok(args).stdout), delimiter=delimiter))
    assert rows[0] == ["draw"] and [r[0] for r in rows[1:]] == [labels[d] for d in ref]
    rows = list(csv.reader(io.StringIO(ok([*args, "--counts"]).stdout), delimiter=delimiter))
    assert rows[0] == ["label", "count"]
    assert rows[1:] == [[label, str(c)] for label, c in zip(labels, np.bincount(ref, minlength=4))]


def test_json_single_batch_and_labels():
    assert json.loads(cli_draws("json").stdout) == reference([1, 2, 3]).tolist()
    assert json.loads(cli_draws("json", batch=True).stdout) == reference(BATCH).T.tolist()
    names = ['a"b', "c\\d", "é"]
    option = ",".join('"' + n.replace('"', '""') + '"' for n in names)
    assert json.loads(cli_draws("json", labels=option).stdout) == [names[d] for d in reference([1, 2, 3])]


def test_json_with_report_is_an_object_and_with_check_alone_a_list():
    data = json.loads(cli_draws("json", extra=["--report"]).stdout)
    assert set(data) == {"draws", "report"}
    assert data["draws"] == reference([1, 2, 3]).tolist()
    assert data["report"]["seed"] == 5 and data["report"]["n"] == 40
    [test] = data["report"]["tests"]
    assert [c["count"] for c in test["categories"]] == np.bincount(reference([1, 2, 3]), minlength=3).tolist()
    # --check computes the test but does not change the shape of the output
    assert json.loads(cli_draws("json", extra=["--check"]).stdout) == reference([1, 2, 3]).tolist()


def test_jsonl_single_batch_and_labels():
    lines = cli_draws("jsonl").stdout.splitlines()
    assert [json.loads(x) for x in lines] == reference([1, 2, 3]).tolist()
    lines = cli_draws("jsonl", batch=True).stdout.splitlines()
    assert [json.loads(x) for x in lines] == reference(BATCH).T.tolist()
    lines = cli_draws("jsonl", labels='"x,1",y,z').stdout.splitlines()
    assert [json.loads(x) for x in lines] == [["x,1", "y", "z"][d] for d in reference([1, 2, 3])]


def test_npy_single_and_batch():
    arr = np.load(io.BytesIO(cli_draws("npy").stdout_bytes))
    assert arr.shape == (40,) and arr.dtype == np.int64
    np.testing.assert_array_equal(arr, reference([1, 2, 3]))
    arr = np.load(io.BytesIO(cli_draws("npy", batch=True).stdout_bytes))
    assert arr.shape == (2, 40)
    np.testing.assert_array_equal(arr, reference(BATCH))


def test_npy_spanning_many_chunks_streams_a_valid_array():
    with small_chunks():
        out = ok(["sample", "-n", "1001", "--seed", "4", "--format", "npy"], input=BATCH_TEXT).stdout_bytes
        ref = reference(BATCH, n=1001, seed=4)
    np.testing.assert_array_equal(np.load(io.BytesIO(out)), ref)


# --------------------------------------------------------------------------------------------
# Counts in every format


def cli_counts(fmt, batch=False, n=300, seed=6):
    args = ["sample", "--counts", "-n", str(n), "--seed", str(seed), "--format", fmt]
    if batch:
        return ok(args, input=BATCH_TEXT)
    return ok([*args, "a=1", "b=2", "c=3"])


def ref_counts(batch=False, n=300, seed=6):
    return reference(BATCH if batch else [1, 2, 3], n=n, seed=seed, counts=True)


def test_counts_plain():
    assert cli_counts("plain").stdout == "".join(f"{c}\n" for c in ref_counts())
    assert cli_counts("plain", batch=True).stdout == "".join(f"{a} {b}\n" for a, b in ref_counts(True).T)


@pytest.mark.parametrize("fmt, delimiter", [("csv", ","), ("tsv", "\t")])
def test_counts_csv_tsv(fmt, delimiter):
    rows = list(csv.reader(io.StringIO(cli_counts(fmt).stdout), delimiter=delimiter))
    assert rows == [["label", "count"]] + [[lab, str(c)] for lab, c in zip("abc", ref_counts())]
    rows = list(csv.reader(io.StringIO(cli_counts(fmt, batch=True).stdout), delimiter=delimiter))
    assert rows[0] == ["label", "row1", "row2"]
    assert [[int(x) for x in r[1:]] for r in rows[1:]] == ref_counts(True).T.tolist()
    assert [r[0] for r in rows[1:]] == ["0", "1", "2"]


def test_counts_json_is_the_report_with_every_count():
    data = json.loads(cli_counts("json").stdout)
    [test] = data["tests"]
    assert [(c["label"], c["count"]) for c in test["categories"]] == list(zip("abc", ref_counts().tolist()))
    data = json.loads(cli_counts("json", batch=True).stdout)
    assert [[c["count"] for c in t["categories"]] for t in data["tests"]] == ref_counts(True).tolist()
    assert [t["name"] for t in data["tests"]] == ["row 1", "row 2"]


def test_counts_jsonl():
    lines = [json.loads(x) for x in cli_counts("jsonl").stdout.splitlines()]
    assert lines == [{"label": lab, "count": int(c)} for lab, c in zip("abc", ref_counts())]
    lines = [json.loads(x) for x in cli_counts("jsonl", batch=True).stdout.splitlines()]
    assert lines == [{"label": str(i), "counts": col} for i, col in enumerate(ref_counts(True).T.tolist())]


def test_counts_npy():
    arr = np.load(io.BytesIO(cli_counts("npy").stdout_bytes))
    assert arr.shape == (3,) and arr.dtype == np.int64 and arr.tolist() == ref_counts().tolist()
    arr = np.load(io.BytesIO(cli_counts("npy", batch=True).stdout_bytes))
    assert arr.shape == (2, 3) and arr.tolist() == ref_counts(True).tolist()


def test_counts_equal_the_bincount_of_the_printed_draws():
    with small_chunks():
        for threads in ("1", "3"):
            draws = ok(["sample", "-n", "777", "--seed", "8", "-t", threads, "--format", "csv"], input=BATCH_TEXT).stdout
            counts = ok(["sample", "-n", "777", "--seed", "8", "-t", threads, "--counts", "-F", "csv"], input=BATCH_TEXT)
            table = np.array([[int(x) for x in r] for r in list(csv.reader(io.StringIO(draws)))[1:]])
            rows = list(csv.reader(io.StringIO(counts.stdout)))[1:]
            got = np.array([[int(x) for x in r[1:]] for r in rows]).T
            assert got.tolist() == [np.bincount(table[:, r], minlength=3).tolist() for r in range(2)]
            assert (got.sum(axis=1) == 777).all()


# --------------------------------------------------------------------------------------------
# Reproducibility: the same seed gives the same bytes whatever the threads


def test_same_bytes_for_1_2_3_threads_with_real_chunk_sizes():
    """1.1e6 draws of 3 categories span 4 chunks of the shipped size (the last one partial)."""
    outputs = {t: ok(["sample", "0.2", "0.3", "0.5", "-n", "1.1M", "--seed", "17", "-t", t]).stdout_bytes for t in "123"}
    assert len(outputs["1"].splitlines()) == 1_100_000
    assert outputs["1"] == outputs["2"] == outputs["3"]
    via_env = ok(["sample", "0.2", "0.3", "0.5", "-n", "1.1M", "--seed", "17"], env={"GUMBEL_THREADS": "3"})
    assert via_env.stdout_bytes == outputs["1"]


@pytest.mark.parametrize("fmt", ["plain", "csv", "tsv", "json", "jsonl", "npy", "table"])
@pytest.mark.parametrize("counts", [False, True], ids=["draws", "counts"])
def test_same_bytes_for_1_2_3_threads_in_every_format(fmt, counts):
    extra = ["--counts"] if counts else []
    with small_chunks():
        outputs = [
            ok(["sample", "-n", "1234", "--seed", "99", "-F", fmt, "-t", t, *extra], input=BATCH_TEXT).stdout_bytes
            for t in "123"
        ]
    assert outputs[0] and outputs[0] == outputs[1] == outputs[2]


def test_the_reported_seed_reproduces_an_unseeded_run():
    first = json.loads(ok(["sample", "1", "2", "3", "-n", "500", "--counts", "-F", "json"]).stdout)
    again = json.loads(ok(["sample", "1", "2", "3", "-n", "500", "--counts", "-F", "json", "--seed", first["seed"]]).stdout)
    assert again == first
    other = json.loads(ok(["sample", "1", "2", "3", "-n", "500", "--counts", "-F", "json"]).stdout)
    assert other["seed"] != first["seed"]


@pytest.mark.parametrize("tiny", ["1e-310", "2.2250738585072014e-308", "1e-306"])
@pytest.mark.parametrize("wide", [False, True], ids=["K=2", "K=20"])
def test_tiny_weights_make_no_noise_on_stderr(tiny, wide):
    """A weight whose inverse overflows (1e-310), or whose race time E / p would (2.2e-308), must
    not leak a NumPy RuntimeWarning to stderr (ok() asserts stderr is empty)."""
    values = ["1", tiny] + (["1"] * 18 if wide else [])
    result = ok(["sample", *values, "-n", "500", "--seed", "1"])
    assert "1" not in result.stdout.split()


@pytest.mark.parametrize("extra", [[], ["--counts"]], ids=["draws", "counts"])
def test_progress_reaches_its_total_for_a_batch(extra):
    """The progress bar (drawn only on a terminal) must end full: its advances sum to its total."""
    seen: dict[str, int] = {"total": -1, "done": 0}

    @contextlib.contextmanager
    def fake_bar(total, description, enabled):
        seen["total"] = total

        def advance(k):
            seen["done"] += k

        yield advance

    with small_chunks(), mock.patch("gumbelcli.cli.progress_bar", fake_bar):
        ok(["sample", "-n", "1000", "--seed", "1", *extra], input=BATCH_TEXT)
    assert seen["done"] == seen["total"] > 0


# --------------------------------------------------------------------------------------------
# Reports, the table format and --check


def test_report_with_piped_data_goes_to_stderr():
    result = run(["sample", "a=1", "b=2", "c=3", "-n", "600", "--seed", "3", "--report"])
    assert result.exit_code == 0
    assert result.stdout.split() == [["a", "b", "c"][d] for d in reference([1, 2, 3], n=600, seed=3)]
    for fragment in ("category", "target p", "residual", "statistic", "df = 2", "p = ", "seed = 3", "n = 600"):
        assert fragment in result.stderr, fragment
    counts = run(["sample", "a=1", "b=2", "c=3", "-n", "600", "--seed", "3", "--report", "--counts"])
    assert counts.exit_code == 0 and counts.stdout.split() == [str(c) for c in ref_counts(n=600, seed=3)]
    assert "statistic" in counts.stderr
    # --no-report and the default when piped: nothing on stderr
    assert ok(["sample", "1", "2", "-n", "5", "--no-report"]).stderr == ""


def test_report_with_output_file_goes_to_stderr(tmp_path):
    out = tmp_path / "d.txt"
    result = run(["sample", "1", "2", "-n", "100", "--seed", "3", "--report", "-o", out])
    assert result.exit_code == 0 and result.stdout == ""
    assert "statistic" in result.stderr
    assert len(out.read_text().split()) == 100


def test_table_format_is_the_report():
    result = ok(["sample", "red=1", "green=2", "blue=0", "-n", "1000", "--seed", "2", "-F", "table"])
    text = result.stdout
    counts = reference([1, 2, 0], n=1000, seed=2, counts=True)
    for fragment in ("category", "target p", "count", "freq", "expected", "residual", "red", "green", "blue"):
        assert fragment in text, fragment
    assert str(counts[0]) in text and str(counts[1]) in text
    assert "pearson statistic = " in text and "df = 1" in text and "p = " in text
    assert "consistent with the target at α = 0.01" in text
    assert "n = 1,000 draws per distribution, seed = 2" in text
    assert "\x1b[" not in text  # no terminal escapes in a pipe


def test_table_names_pooled_cells():
    args = ["sample", "a=0.5", "b=0.492", "tiny=0.004", "wee=0.004", "-n", "1000", "--seed", "2", "-F", "table"]
    result = ok(args)
    assert "pooled into one cell (expected counts < 5): tiny, wee" in result.stdout
    assert "df = 2" in result.stdout  # three cells: a, b and the pooled one


def test_table_of_a_batch_has_a_test_per_row():
    result = ok(["sample", "-n", "500", "--seed", "1", "-F", "table"], input=BATCH_TEXT)
    assert "row 1" in result.stdout and "row 2" in result.stdout
    assert result.stdout.count("statistic = ") == 2


def test_table_of_many_categories_shows_the_most_deviant():
    values = ",".join(["1"] * 50)
    result = ok(["sample", values, "-n", "5000", "--seed", "1", "-F", "table"])
    assert "showing the 10 most deviant of 50 categories" in result.stdout


@pytest.mark.parametrize("extra", [[], ["--counts"], ["--format", "csv"], ["--format", "json"], ["-F", "table"]])
def test_check_exits_1_when_the_test_rejects(extra):
    """At --alpha 0.999 the test rejects unless p >= 0.999: with this fixed seed p < 0.999, so the
    exit status is 1 (for a random seed, the chance of exit 0 here would be 0.1 %). The data is
    still written in full."""
    args = ["sample", "1", "2", "3", "4", "-n", "2000", "--seed", "12", *extra]
    rejected = run([*args, "--check", "--alpha", "0.999"])
    assert rejected.exit_code == 1, (rejected.stderr, rejected.exception)
    assert rejected.stderr == ""
    if "table" in extra:
        assert "REJECTED at α = 0.999" in rejected.stdout
    else:
        assert rejected.stdout == ok(args).stdout
    # the same run passes at the default alpha (false alarm 1 % for a random seed; this one passes)
    assert run([*args, "--check"]).exit_code == 0
    # without --check the verdict never changes the exit status
    assert run([*args, "--alpha", "0.999"]).exit_code == 0


def test_check_with_report_prints_the_rejection():
    result = run(["sample", "1", "2", "3", "4", "-n", "2000", "--seed", "12", "--check", "--report", "-a", "0.999"])
    assert result.exit_code == 1 and "REJECTED at α = 0.999" in " ".join(result.stderr.split())


def test_check_on_a_large_batch_controls_the_family_wise_rate(tmp_path):
    """300 correct rows: each row is tested at alpha / 300 (Bonferroni), so --check exits 1 with
    probability at most alpha = 1 % for a fresh seed (this seed passes). Testing every row at alpha
    itself would exit 1 with probability 1 - 0.99**300 = 95 %."""
    path = tmp_path / "batch.txt"
    np.savetxt(path, np.random.default_rng(0).dirichlet(np.full(5, 3.0), size=300))
    result = run(["sample", "-f", path, "-n", "500", "--seed", "1", "--counts", "--check", "-F", "json"])
    assert result.exit_code == 0, result.stderr
    tests = json.loads(result.stdout)["tests"]
    assert len(tests) == 300 and all(t["alpha"] == pytest.approx(0.01 / 300) for t in tests)


def test_check_with_nothing_to_test_passes():
    """A single live category: nothing to test (p = 1), so --check cannot reject."""
    result = run(["sample", "1", "0", "-n", "100", "--seed", "1", "--check", "--alpha", "0.999"])
    assert result.exit_code == 0


def test_on_a_terminal_auto_is_the_table_and_npy_is_refused():
    """stdout is never a terminal under CliRunner; pretend it is (test_pipelines uses a real pty)."""
    with mock.patch("gumbelcli.cli.is_terminal", lambda stream: True):
        table = run(["sample", "1", "2", "-n", "300", "--seed", "1"])
        assert table.exit_code == 0 and "statistic = " in table.stdout
        npy = run(["sample", "1", "2", "-n", "3", "-F", "npy"])
    assert npy.exit_code == 2 and npy.stdout == ""
    assert_one_line_error(npy.stderr)
    assert "--format npy writes binary data" in npy.stderr


# --------------------------------------------------------------------------------------------
# --output: atomic, complete, with ordinary permissions


@pytest.mark.parametrize("fmt", ["plain", "csv", "json", "npy", "table"])
@pytest.mark.parametrize("counts", [False, True], ids=["draws", "counts"])
def test_output_file_equals_stdout_and_leaves_no_temporary(tmp_path, fmt, counts):
    extra = ["--counts"] if counts else []
    args = ["sample", "1", "2", "3", "-n", "3000", "--seed", "4", "-F", fmt, *extra]
    out = tmp_path / ("draws." + fmt)
    result = ok([*args, "-o", out])
    assert result.stdout == ""
    assert out.read_bytes() == ok(args).stdout_bytes
    assert os.listdir(tmp_path) == [out.name]  # no .part file left behind


def test_output_file_has_ordinary_permissions(tmp_path):
    """Like `> file`: 0666 minus the umask for a new file, the old mode for a replaced one."""
    mask = os.umask(0o022)
    try:
        new = tmp_path / "new.txt"
        ok(["sample", "1", "2", "-n", "3", "-o", new])
        assert stat.S_IMODE(new.stat().st_mode) == 0o644
        old = tmp_path / "old.txt"
        old.write_text("x")
        old.chmod(0o640)
        ok(["sample", "1", "2", "-n", "3", "-o", old])
        assert stat.S_IMODE(old.stat().st_mode) == 0o640 and old.read_text() != "x"
    finally:
        os.umask(mask)


def test_interrupted_output_leaves_no_file_and_keeps_the_old_one(tmp_path):
    from gumbelcli import render

    real_write = render.DrawWriter.write
    calls = {"n": 0}

    def interrupted(self, draws):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        real_write(self, draws)

    out = tmp_path / "d.txt"
    fresh = tmp_path / "fresh.txt"
    out.write_text("old\n")
    with small_chunks(), mock.patch.object(render.DrawWriter, "write", interrupted):
        result = run(["sample", "1", "2", "-n", "1000", "-o", out])
        calls["n"] = 0
        result_fresh = run(["sample", "1", "2", "-n", "1000", "-o", fresh])
    assert result.exit_code == result_fresh.exit_code == 130
    assert "Traceback" not in result.stderr
    assert out.read_text() == "old\n"
    assert sorted(os.listdir(tmp_path)) == ["d.txt"]


# --------------------------------------------------------------------------------------------
# Help and version


def test_version():
    result = ok(["--version"])
    assert result.stdout == f"gumbel {gumbelcli.__version__}\n"


def test_sample_help_lists_examples_exit_codes_and_every_option():
    text = ok(["sample", "--help"]).stdout
    assert "Examples" in text and "gumbel sample 0.2 0.3 0.5" in text
    assert "Exit codes" in text and "130" in text
    for option in ("--draws", "--logits", "--file", "--labels", "--seed", "--threads", "--counts", "--report",
                   "--check", "--alpha", "--format", "--output"):
        assert option in text, option
    assert "GUMBEL_THREADS" in " ".join(text.split())  # the default of --threads is stated
