"""Tests of render.py (the byte-level writers, counts, the human report, atomic output) and of the
report's content as stats.gof_test computes it."""

from __future__ import annotations

import csv
import io
import json
import math
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from scipy import stats as sps

from gumbelcli.errors import InputError
from gumbelcli.inputs import target_from_probs
from gumbelcli.render import (
    DrawWriter,
    atomic_output,
    category_tokens,
    format_lines,
    pooled_summary,
    render_relax_report,
    render_sample_report,
    test_summary as summary_line,
    token_table,
    write_counts,
)
from gumbelcli.results import SampleReport
from gumbelcli.stats import gof_test, pool_cells, sample_report, standardized_residuals

# Labels as the input layer accepts them: non-empty, no control or line-separator characters
# (no NUL either), any other Unicode, of different lengths.
label_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=6
).filter(lambda s: s.strip() == s and s != "")


def unique_labels(k_min=1, k_max=8):
    return st.lists(label_text, min_size=k_min, max_size=k_max, unique=True)


def draws_for(k: int, rows: int, max_m: int = 30):
    return st.lists(st.lists(st.integers(0, k - 1), min_size=rows, max_size=rows), min_size=0, max_size=max_m).map(
        lambda xs: np.array(xs, dtype=np.intp).reshape(len(xs), rows)
    )


# --------------------------------------------------------------------------------------------
# format_lines: the vectorized writer equals a plain Python join


@st.composite
def tables_and_draws(draw):
    tokens = draw(st.lists(st.text(alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)),
                                   min_size=0, max_size=7), min_size=1, max_size=12))
    rows = draw(st.integers(1, 4))
    draws = draw(draws_for(len(tokens), rows, max_m=40))
    sep = draw(st.sampled_from([b" ", b",", b"\t", b", "]))
    prefix, suffix = draw(st.sampled_from([(b"", b"\n"), (b"[", b"]\n"), (b"", b",\n"), (b"", b"")]))
    return tokens, draws, sep, prefix, suffix


@settings(max_examples=300, deadline=None)
@given(tables_and_draws())
def test_format_lines_equals_a_python_join(case):
    tokens, draws, sep, prefix, suffix = case
    encoded = [t.encode("utf-8") for t in tokens]
    expected = b"".join(prefix + sep.join(encoded[i] for i in row) + suffix for row in draws)
    assert format_lines(draws, token_table(tokens), sep, prefix, suffix) == expected


def test_format_lines_with_labels_of_different_lengths_and_utf8():
    tokens = ["a", "βeta", "日本語ラベル", "🙂", "x y"]
    draws = np.array([[0, 1], [2, 3], [4, 0], [3, 3]])
    assert format_lines(draws, token_table(tokens), b",") == "a,βeta\n日本語ラベル,🙂\nx y,a\n🙂,🙂\n".encode()


def test_token_table_pads_with_nul():
    table = token_table(["a", "bcd", "é"])
    assert table.shape == (3, 3) and table.dtype == np.uint8
    assert bytes(table[0]) == b"a\x00\x00" and bytes(table[2]) == "é".encode() + b"\x00"


def test_category_tokens_per_format():
    labels = ["a,b", 'q"', "plain"]
    assert category_tokens(None, 3, "csv") == ["0", "1", "2"]
    assert category_tokens(labels, 3, "plain") == labels
    assert category_tokens(labels, 3, "csv") == ['"a,b"', '"q"""', "plain"]
    assert category_tokens(labels, 3, "tsv") == ["a,b", '"q"""', "plain"]
    assert category_tokens(labels, 3, "json") == ['"a,b"', '"q\\""', '"plain"']
    assert category_tokens(["é"], 1, "jsonl") == ['"é"']  # UTF-8, not \u escapes


# --------------------------------------------------------------------------------------------
# DrawWriter: every format, written in several chunks, reads back as the draws


def write_all(fmt, labels, k, chunks, rows, with_report=False, report=None) -> bytes:
    n = sum(len(c) for c in chunks)
    buf = io.BytesIO()
    writer = DrawWriter(buf, fmt, labels, k, rows, n, with_report=with_report)
    for chunk in chunks:
        writer.write(chunk)
    writer.close(report)
    return buf.getvalue()


@st.composite
def writer_cases(draw):
    labels = draw(st.one_of(st.none(), unique_labels()))
    k = len(labels) if labels else draw(st.integers(1, 12))
    rows = draw(st.integers(1, 3))
    chunks = draw(st.lists(draws_for(k, rows, max_m=15), min_size=1, max_size=4))
    return labels, k, rows, chunks


def decode(fmt: str, data: bytes, rows: int):
    """The draws as a list (one entry per draw: a token, or a list of tokens for a batch)."""
    text = data.decode("utf-8")
    if fmt in ("csv", "tsv"):
        table = list(csv.reader(io.StringIO(text, newline=""), delimiter="," if fmt == "csv" else "\t"))
        assert table[0] == (["draw"] if rows == 1 else [f"row{r + 1}" for r in range(rows)])
        return [r[0] if rows == 1 else r for r in table[1:]]
    if fmt == "json":
        return json.loads(text)
    if fmt == "jsonl":
        return [json.loads(line) for line in text.splitlines()]
    lines = text.splitlines()
    return lines if rows == 1 else [line.split(" ") for line in lines]


@settings(max_examples=100, deadline=None)
@given(writer_cases(), st.sampled_from(["plain", "csv", "tsv", "json", "jsonl", "npy"]))
def test_draw_writer_round_trips(case, fmt):
    labels, k, rows, chunks = case
    if fmt == "plain" and rows > 1 and labels and any(" " in x for x in labels):
        labels = [x.replace(" ", "_") + str(i) for i, x in enumerate(labels)]  # plain batches split on spaces
    draws = np.concatenate(chunks)
    data = write_all(fmt, labels, k, chunks, rows)
    if fmt == "npy":
        arr = np.load(io.BytesIO(data))
        assert arr.dtype == np.int64
        np.testing.assert_array_equal(arr, draws[:, 0] if rows == 1 else draws.T)
        return
    names = [str(i) for i in range(k)] if labels is None else list(labels)
    as_number = labels is None and fmt in ("json", "jsonl")

    def token(i: int):
        return int(i) if as_number else names[i]

    expected = [token(row[0]) if rows == 1 else [token(i) for i in row] for row in draws]
    assert decode(fmt, data, rows) == expected


def test_json_writer_with_report_is_one_object():
    target = target_from_probs([1, 1])
    draws = np.array([[0], [1], [1]])
    report = sample_report(target, np.array([[1, 2]]), seed=3, alpha=0.01)
    data = json.loads(write_all("json", None, 2, [draws[:2], draws[2:]], 1, with_report=True, report=report))
    assert data["draws"] == [0, 1, 1] and data["report"] == report.to_dict()


def test_json_writer_without_draws_is_an_empty_list():
    assert json.loads(write_all("json", None, 2, [np.empty((0, 1), dtype=np.intp)], 1)) == []


# --------------------------------------------------------------------------------------------
# write_counts


def counts_case():
    target = target_from_probs([[1, 1, 2], [2, 1, 1]], labels=["a", "b,c", "d"])
    counts = np.array([[10, 5, 25], [20, 12, 8]])
    return target, counts, sample_report(target, counts, seed=1, alpha=0.01)


@pytest.mark.parametrize("fmt", ["plain", "csv", "tsv", "json", "jsonl", "npy"])
def test_write_counts_every_format_batch(fmt):
    target, counts, report = counts_case()
    buf = io.BytesIO()
    write_counts(buf, fmt, counts, target.display_labels, report)
    data = buf.getvalue()
    if fmt == "npy":
        assert np.load(io.BytesIO(data)).tolist() == counts.tolist()
    elif fmt == "plain":
        assert data == b"10 20\n5 12\n25 8\n"
    elif fmt in ("csv", "tsv"):
        rows = list(csv.reader(io.StringIO(data.decode()), delimiter="," if fmt == "csv" else "\t"))
        assert rows == [["label", "row1", "row2"], ["a", "10", "20"], ["b,c", "5", "12"], ["d", "25", "8"]]
    elif fmt == "jsonl":
        assert [json.loads(x) for x in data.decode().splitlines()] == [
            {"label": "a", "counts": [10, 20]}, {"label": "b,c", "counts": [5, 12]}, {"label": "d", "counts": [25, 8]},
        ]
    else:
        assert json.loads(data) == report.to_dict()


def test_write_counts_single_row():
    target = target_from_probs([1, 3], labels=["x", "y"])
    counts = np.array([[2, 6]])
    report = sample_report(target, counts, seed=1, alpha=0.01)
    buf = io.BytesIO()
    write_counts(buf, "npy", counts, target.display_labels, report)
    arr = np.load(io.BytesIO(buf.getvalue()))
    assert arr.shape == (2,) and arr.tolist() == [2, 6]
    buf = io.BytesIO()
    write_counts(buf, "jsonl", counts, target.display_labels, report)
    assert buf.getvalue() == b'{"label": "x", "count": 2}\n{"label": "y", "count": 6}\n'


# --------------------------------------------------------------------------------------------
# atomic_output


def test_atomic_output_renames_only_on_success(tmp_path):
    path = tmp_path / "out.bin"
    with atomic_output(str(path)) as stream:
        stream.write(b"partial")
        assert not path.exists()  # nothing at the final path while writing
        # at most a hidden temporary (none at all where the file is unnamed, O_TMPFILE on Linux)
        assert all(p.startswith(".out.bin.") and p.endswith(".part") for p in os.listdir(tmp_path))
    assert path.read_bytes() == b"partial" and os.listdir(tmp_path) == ["out.bin"]


def test_atomic_output_without_o_tmpfile_uses_a_named_temporary(tmp_path, monkeypatch):
    monkeypatch.delattr(os, "O_TMPFILE", raising=False)
    path = tmp_path / "out.bin"
    with atomic_output(str(path)) as stream:
        stream.write(b"data")
        assert [p for p in os.listdir(tmp_path) if p.startswith(".out.bin.") and p.endswith(".part")]
    assert path.read_bytes() == b"data" and os.listdir(tmp_path) == ["out.bin"]
    with pytest.raises(KeyboardInterrupt), atomic_output(str(path)) as stream:
        stream.write(b"new")
        raise KeyboardInterrupt
    assert path.read_bytes() == b"data" and os.listdir(tmp_path) == ["out.bin"]


def test_atomic_output_copies_when_the_unnamed_file_cannot_be_linked(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", refuse)
    path = tmp_path / "out.bin"
    with atomic_output(str(path)) as stream:
        stream.write(b"x" * 3_000_000)
    assert path.read_bytes() == b"x" * 3_000_000 and os.listdir(tmp_path) == ["out.bin"]


def test_atomic_output_path_with_a_nul_byte_is_an_input_error(tmp_path):
    # regression (found by tests/test_fuzz.py): the API and CliRunner can pass a NUL byte, which
    # made tempfile raise ValueError, a crash with a traceback
    with pytest.raises(InputError, match="cannot write --output"), atomic_output(str(tmp_path / "a\x00b")):
        pass
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt, SystemExit])
def test_atomic_output_failure_removes_the_temporary_and_keeps_the_old_file(tmp_path, error):
    path = tmp_path / "out.bin"
    path.write_bytes(b"old")
    with pytest.raises(error), atomic_output(str(path)) as stream:
        stream.write(b"new but incomplete")
        raise error()
    assert path.read_bytes() == b"old" and os.listdir(tmp_path) == ["out.bin"]


def test_atomic_output_bad_paths_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="cannot write"), atomic_output(str(tmp_path / "missing" / "x")):
        pass
    with pytest.raises(InputError, match="is a directory"), atomic_output(str(tmp_path)):
        pass
    assert os.listdir(tmp_path) == []


# --------------------------------------------------------------------------------------------
# Report content (stats.gof_test) and its rendering


def test_no_pooling_matches_scipy_chisquare():
    probs = np.array([0.1, 0.2, 0.3, 0.4])
    counts = np.array([90, 230, 280, 400])
    result = gof_test(counts, probs, list("abcd"))
    expected = sps.chisquare(counts, 1000 * probs)
    assert result.statistic == pytest.approx(expected.statistic, rel=1e-12)
    assert result.p_value == pytest.approx(expected.pvalue, rel=1e-9)
    assert result.df == 3 and result.pooled == () and result.n == 1000 and result.note == ""
    assert [c.expected for c in result.categories] == pytest.approx([100, 200, 300, 400])
    assert [c.freq for c in result.categories] == pytest.approx([0.09, 0.23, 0.28, 0.4])


def test_cells_with_small_expected_counts_are_pooled_and_named():
    probs = np.array([0.49, 0.49, 0.006, 0.004, 0.01])
    counts = np.array([480, 500, 7, 3, 10])
    result = gof_test(counts, probs, ["big", "large", "tiny", "wee", "small"])
    # expected: 490, 490, 6, 4, 10 -> only "wee" is below 5; pooled with the next smallest until >= 5
    assert set(result.pooled) == {"wee", "tiny"}
    assert result.df == 3  # big, large, small, (tiny + wee)
    obs = [480, 500, 10, 10]
    exp = [490, 490, 10, 10]
    assert result.statistic == pytest.approx(sps.chisquare(obs, exp).statistic)
    assert "pooled into one cell (expected counts < 5): tiny, wee" == pooled_summary(result)


def test_pool_cells_groups():
    groups = pool_cells(np.array([100.0, 1.0, 2.0, 50.0, 3.0]))
    assert [g.tolist() for g in groups] == [[0], [3], [1, 2, 4]]
    # a pooled group below 5 takes the smallest large cell
    groups = pool_cells(np.array([100.0, 1.0, 6.0]))
    assert [g.tolist() for g in groups] == [[0], [1, 2]]
    assert [g.tolist() for g in pool_cells(np.array([10.0, 20.0]))] == [[0], [1]]


def test_a_count_in_a_probability_zero_category_is_a_certain_rejection():
    result = gof_test(np.array([50, 49, 1]), np.array([0.5, 0.5, 0.0]), ["a", "b", "ghost"])
    assert result.statistic == math.inf and result.p_value == 0.0 and result.rejected
    assert "sample contains a category of probability 0 (ghost)" in result.note
    assert result.df == 1
    assert json.loads(json.dumps(result.to_dict()))["statistic"] == "inf"  # still valid JSON
    assert "REJECTED" in summary_line(result) and "probability 0" in summary_line(result)


def test_a_probability_zero_category_with_no_count_is_fine():
    result = gof_test(np.array([50, 50, 0]), np.array([0.5, 0.5, 0.0]), ["a", "b", "c"])
    assert result.p_value == 1.0 and not result.rejected and result.df == 1


def test_residuals_sign_and_size():
    probs = np.array([0.25, 0.25, 0.5])
    counts = np.array([300, 200, 500])
    result = gof_test(counts, probs, ["hi", "lo", "even"])
    res = {c.label: c.residual for c in result.categories}
    sd = math.sqrt(1000 * 0.25 * 0.75)
    assert res["hi"] == pytest.approx(50 / sd) and res["hi"] > 0
    assert res["lo"] == pytest.approx(-50 / sd) and res["lo"] < 0
    assert res["even"] == 0
    assert [c.label for c in result.most_deviant(2)] in (["hi", "lo"], ["lo", "hi"])
    np.testing.assert_allclose(standardized_residuals(counts, probs), [50 / sd, -50 / sd, 0])
    # p = 1 and p = 0 have no variance: residual 0, never nan
    assert standardized_residuals(np.array([10, 0]), np.array([1.0, 0.0])).tolist() == [0.0, 0.0]


def test_nothing_to_test_with_one_live_category():
    result = gof_test(np.array([10, 0]), np.array([1.0, 0.0]), ["only", "never"])
    assert result.p_value == 1.0 and result.df == 0 and "nothing to test" in result.note


def test_verdict_and_alpha():
    counts, probs = np.array([60, 40]), np.array([0.5, 0.5])  # X² = 4, p = 0.0455
    assert gof_test(counts, probs, "ab", alpha=0.05).verdict == "reject"
    assert gof_test(counts, probs, "ab", alpha=0.01).verdict == "pass"


def test_a_batch_report_tests_each_row_at_alpha_over_rows():
    """Bonferroni: with 2 rows each is tested at alpha / 2, so a row with p = 0.0455 rejects at
    alpha = 0.1 alone but not as one of 2 rows at alpha = 0.05."""
    target = target_from_probs([[1, 1], [1, 1]])
    counts = np.array([[60, 40], [50, 50]])  # row 1: X² = 4, p = 0.0455
    assert gof_test(counts[0], target.probs[0], "ab", alpha=0.05).rejected
    report = sample_report(target, counts, seed=1, alpha=0.05)
    assert [t.alpha for t in report.tests] == [0.025, 0.025]
    assert not report.rejected
    assert sample_report(target, counts, seed=1, alpha=0.1).rejected
    single = sample_report(target_from_probs([1, 1]), counts[:1], seed=1, alpha=0.05)
    assert single.tests[0].alpha == 0.05 and single.rejected


def render_text(report: SampleReport, bars: bool = False) -> str:
    buf = io.StringIO()
    render_sample_report(Console(file=buf, width=120, no_color=True, highlight=False), report, bars=bars)
    return buf.getvalue()


def test_rendered_report_has_every_column_and_the_verdict():
    target = target_from_probs([1, 2, 0], labels=["red", "green", "never"])
    report = sample_report(target, np.array([[340, 660, 0]]), seed=77, alpha=0.01)
    text = render_text(report)
    for fragment in ("category", "target p", "count", "freq", "expected", "residual", "red", "green", "never",
                     "340", "660", "0.340000", "333.333", "df = 1", "consistent with the target at α = 0.01",
                     "n = 1,000 draws per distribution, seed = 77"):
        assert fragment in text, fragment
    assert "statistic = " in text and "p = " in text
    with_bars = render_text(report, bars=True)
    assert "observed" in with_bars and "█" in with_bars


def test_labels_are_not_read_as_rich_markup():
    target = target_from_probs([1, 1, 1], labels=["[x]", "[bold]y", "[/]"])
    text = render_text(sample_report(target, np.array([[3, 4, 5]]), seed=1, alpha=0.01))
    assert "[x]" in text and "[bold]y" in text and "[/]" in text


def test_narrow_console_keeps_numbers_whole():
    """On an 80-column terminal the bar column gives way; numbers are never cut to '0.24…'."""
    target = target_from_probs([1, 3], labels=["red", "blue"])
    report = sample_report(target, np.array([[493, 1507]]), seed=3, alpha=0.01)
    for width in (60, 80, 100):
        buf = io.StringIO()
        render_sample_report(Console(file=buf, width=width, no_color=True), report, bars=True)
        text = buf.getvalue()
        assert "0.246500" in text and "…" not in text, text


def test_rendered_report_of_many_categories_shows_the_most_deviant():
    k = 40
    counts = np.full(k, 100)
    counts[7], counts[8] = 160, 40
    target = target_from_probs(np.ones(k))
    report = sample_report(target, counts[None, :], seed=1, alpha=0.01)
    text = render_text(report)
    # only categories that deviate at all are listed (the others have residual 0)
    assert "showing the 2 most deviant of 40 categories" in text
    shown = {line.split()[0] for line in text.splitlines() if line.strip() and line.split()[0].isdigit()}
    assert shown == {"7", "8"}
    counts = 100 + np.arange(k) - 20  # every category deviates: at most 10 are listed, the largest first
    report = sample_report(target, counts[None, :], seed=1, alpha=0.01)
    text = render_text(report)
    assert "showing the 10 most deviant of 40 categories" in text
    shown = {line.split()[0] for line in text.splitlines() if line.strip() and line.split()[0].isdigit()}
    assert shown == {str(i) for i in [0, 1, 2, 3, 4, 35, 36, 37, 38, 39]}


def test_pooled_summary_lists_at_most_eight():
    probs = np.concatenate([[0.5, 0.45], np.full(20, 0.0025)])
    counts = np.concatenate([[500, 450], np.full(20, 2)]).astype(int)
    result = gof_test(counts, probs, [f"c{i}" for i in range(22)])
    line = pooled_summary(result)
    assert line.startswith("pooled into one cell (expected counts < 5): ") and "(12 more)" in line


# --------------------------------------------------------------------------------------------
# pictures: bars that fit the terminal


def test_bars_take_the_room_the_numbers_leave():
    """The bars shrink to fit (about 15 cells at 80 columns) and give way below 8; numbers stay whole."""
    target = target_from_probs([1, 3], labels=["red", "blue"])
    report = sample_report(target, np.array([[493, 1507]]), seed=3, alpha=0.01)
    for width, header in [(60, None), (72, None), (80, "obs █ exp │"), (100, "observed █ vs expected │")]:
        buf = io.StringIO()
        render_sample_report(Console(file=buf, width=width, no_color=True), report, bars=True)
        text = buf.getvalue()
        assert max(len(line) for line in text.splitlines()) <= width, text
        assert "0.246500" in text and "…" not in text, text
        if header is None:
            assert "█" not in text, (width, text)
        else:
            assert header in text and "█" in text, (width, text)
    buf = io.StringIO()
    render_sample_report(Console(file=buf, width=200, no_color=True), report, bars=False)
    assert "█" not in buf.getvalue()  # piped: a plain table


def _relax_result(taus_and_means, probs=(0.2, 0.3, 0.5)):
    from gumbelcli.results import RelaxResult, RelaxRowReport, RelaxTauSummary

    labels = ["red", "green", "blue"][: len(probs)]
    counts = np.round(np.array(probs) * 1000).astype(int)
    test = gof_test(counts, np.array(probs), labels)
    summaries = tuple(RelaxTauSummary(tau, mean, 0.5, 0.5, test) for tau, mean in taus_and_means)
    return RelaxResult(n=1000, seed=1, hard=False, noise=True, log=False, rows=(RelaxRowReport("", summaries),))


def test_relax_report_draws_the_mean_largest_coordinate_per_tau():
    result = _relax_result([(0.1, 0.99), (1.0, 2 / 3), (10.0, 1 / 3)])
    for width in (80, 120):
        buf = io.StringIO()
        render_relax_report(Console(file=buf, width=width, no_color=True), result, bars=True)
        lines = buf.getvalue().splitlines()
        assert max(len(line) for line in lines) <= width
        assert "mean max y: bars from 1/K = 0.333 (centre of the simplex) to 1 (a vertex)" in lines
        bars = [line for line in lines if line.startswith("τ = ")]
        assert [b.split()[2] for b in bars] == ["0.1", "1", "10"]
        full = 40  # the widest bar: 1/K maps to no bar, 1 to 40 cells
        assert [b.count("█") for b in bars] == [round(0.985 * full), full // 2, 0]
        assert [b.split()[-1] for b in bars] == ["0.990000", "0.666667", "0.333333"]
    buf = io.StringIO()
    render_relax_report(Console(file=buf, width=120, no_color=True), result, bars=False)
    assert "τ = " not in buf.getvalue() and "█" not in buf.getvalue()  # piped: the table only
    buf = io.StringIO()
    render_relax_report(Console(file=buf, width=24, no_color=True), result, bars=True)
    assert "τ = " not in buf.getvalue()  # no room: no bars


def test_relax_bars_count_only_the_categories_that_can_win():
    # with a zero-probability category the centre is 1/2, not 1/3
    result = _relax_result([(1.0, 0.75)], probs=(0.5, 0.5, 0.0))
    buf = io.StringIO()
    render_relax_report(Console(file=buf, width=100, no_color=True), result, bars=True)
    text = buf.getvalue()
    assert "1/K = 0.5 (centre" in text
    (bar,) = [line for line in text.splitlines() if line.startswith("τ = ")]
    assert bar.count("█") == 20  # halfway from 1/2 to 1


def test_monte_carlo_note_at_a_tiny_alpha_is_advice_not_a_crash():
    # regression (found by tests/test_fuzz.py): --alpha 1e-320 --monte-carlo 1 raised OverflowError
    # computing the B needed (m / α is infinite)
    from conftest import invoke

    result = invoke(["verify", "0.2", "0.3", "0.5", "-n", "20", "--seed", "2", "--alpha", "1e-320", "--monte-carlo", "1"])
    assert result.exit_code == 0, result.output
    assert "cannot reject" in result.stdout and "use a larger --alpha" in result.stdout
    result = invoke(["verify", "0.2", "0.3", "0.5", "-n", "20", "--seed", "2", "--alpha", "1e-10", "-B", "1"])
    assert "use --monte-carlo 10000000000 or more" in result.stdout
