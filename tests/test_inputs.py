"""Tests of gumbelcli.inputs: every input form, normalisation, and every rejected input."""

from __future__ import annotations

import io
import json
import os
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gumbelcli.errors import InputError
from gumbelcli.inputs import (
    Target,
    parse_count,
    parse_positive_int,
    read_source_bytes,
    read_target,
    target_from_logits,
    target_from_probs,
)

pytestmark = pytest.mark.filterwarnings("error")  # no NumPy warning may leak from the module


def reject(call, *fragments: str) -> str:
    """Run ``call``, expect a one-line InputError containing every fragment; return the message."""
    with pytest.raises(InputError) as info:
        call()
    message = str(info.value)
    assert "\n" not in message and "\r" not in message, message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


def stdin(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)


def write(tmp_path, name: str, content: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return str(path)


# --------------------------------------------------------------------------------------------
# The Target type


def test_target_shape_properties_and_read_only():
    target = target_from_probs([1, 1, 2], labels=["a", "b", "c"])
    assert isinstance(target, Target)
    assert target.rows == 1 and target.n_categories == 3
    assert target.probs.dtype == np.float64 and target.log_probs.dtype == np.float64
    assert target.probs.shape == target.log_probs.shape == (1, 3)
    assert target.labels == ("a", "b", "c") == target.display_labels
    with pytest.raises(ValueError):
        target.probs[0, 0] = 1.0
    with pytest.raises(ValueError):
        target.log_probs[0, 0] = 1.0


def test_display_labels_default_to_indices():
    target = target_from_probs([[1, 2, 3], [3, 2, 1]])
    assert target.labels is None
    assert target.display_labels == ("0", "1", "2")
    assert target.rows == 2


def test_target_equality_and_hash_by_value():
    a, b = target_from_probs([1, 3]), read_target(["1", "3"])
    assert a == b and hash(a) == hash(b)
    assert a != target_from_probs([1, 3], labels=["x", "y"])


def test_input_array_is_not_aliased():
    weights = np.array([1.0, 3.0])
    target = target_from_probs(weights)
    weights[0] = 100.0
    np.testing.assert_allclose(target.probs, [[0.25, 0.75]])


# --------------------------------------------------------------------------------------------
# Normalisation


def test_probs_are_normalised_by_their_sum():
    target = target_from_probs([2, 6, 0])
    np.testing.assert_allclose(target.probs, [[0.25, 0.75, 0.0]])
    np.testing.assert_allclose(target.log_probs[0, :2], np.log([0.25, 0.75]))
    assert target.log_probs[0, 2] == -np.inf


def test_probs_that_already_sum_almost_to_one_are_fine():
    target = read_target(["0.1", "0.2", "0.3", "0.39999"])
    assert abs(target.probs.sum() - 1) < 1e-15


def test_probs_extreme_magnitudes():
    huge = target_from_probs([1e308, 1e308])  # the plain sum would overflow
    np.testing.assert_allclose(huge.probs, [[0.5, 0.5]])
    tiny = target_from_probs([5e-324, 5e-324, 1e-320])
    assert np.isclose(tiny.probs.sum(), 1.0)
    spread = target_from_probs([1e300, 1e-300])
    assert spread.probs[0, 1] == 0.0  # below the smallest double
    assert np.isclose(spread.log_probs[0, 1], np.log(1e-300) - np.log(1e300))  # but its log is kept


def test_logits_softmax():
    target = target_from_logits([0.0, np.log(3.0)])
    np.testing.assert_allclose(target.probs, [[0.25, 0.75]])
    np.testing.assert_allclose(target.log_probs, np.log([[0.25, 0.75]]))


def test_logits_minus_infinity_is_a_zero_probability():
    target = read_target(["0", "-inf", "-Infinity", "0"], logits=True)
    np.testing.assert_allclose(target.probs, [[0.5, 0.0, 0.0, 0.5]])
    assert np.isneginf(target.log_probs[0, 1:3]).all()


def test_logits_spread_of_1e4_stays_finite():
    target = target_from_logits([[1e4, -1e4, 0.0], [-1e4, -1e4 + 1, -1e4 + 2]])
    assert np.all(np.isfinite(target.log_probs))
    np.testing.assert_allclose(target.probs.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    assert target.log_probs[0, 0] == 0.0 and target.probs[0, 0] == 1.0
    np.testing.assert_allclose(target.log_probs[0], [0.0, -2e4, -1e4])
    np.testing.assert_allclose(target.probs[1], np.exp([-2, -1, 0]) / np.exp([-2, -1, 0]).sum())


def test_logits_at_the_edge_of_float_range():
    target = target_from_logits([1e308, -1e308])
    assert target.probs.tolist() == [[1.0, 0.0]]
    assert target.log_probs[0, 0] == 0.0


@given(
    hnp.arrays(
        np.float64,
        st.integers(1, 30),
        elements=st.floats(1e-6, 1e6, allow_nan=False, allow_infinity=False),
    )
)
def test_property_positive_weights_normalise(weights):
    target = target_from_probs(weights)
    assert abs(target.probs.sum() - 1.0) <= 1e-12
    np.testing.assert_allclose(target.log_probs, np.log(target.probs), rtol=1e-12, atol=1e-12)


@given(
    hnp.arrays(
        np.float64,
        st.integers(1, 30),
        elements=st.one_of(st.floats(1e-6, 1e6), st.just(0.0)),
    ).filter(lambda w: (w > 0).any())
)
def test_property_zero_weights_give_minus_inf(weights):
    target = target_from_probs(weights)
    positive = target.probs[0] > 0
    assert np.array_equal(positive, weights > 0)
    assert np.isneginf(target.log_probs[0, ~positive]).all()
    np.testing.assert_allclose(
        target.log_probs[0, positive], np.log(target.probs[0, positive]), rtol=1e-12, atol=1e-12
    )


@given(
    hnp.arrays(np.float64, st.integers(1, 30), elements=st.floats(-50, 50)),
    st.floats(-1e3, 1e3),
)
def test_property_logits_are_shift_invariant(logits, shift):
    a, b = target_from_logits(logits), target_from_logits(logits + shift)
    np.testing.assert_allclose(a.probs, b.probs, rtol=0, atol=1e-12)
    assert abs(a.probs.sum() - 1.0) <= 1e-12


# --------------------------------------------------------------------------------------------
# VALUES on the command line


@pytest.mark.parametrize(
    "words",
    [
        ["0.2", "0.3", "0.5"],
        ["0.2,0.3,0.5"],
        ["0.2,0.3", "0.5"],
        ["0.2,", "0.3,", "0.5"],  # what the shell makes of "0.2, 0.3, 0.5"
        ["0.2", ",", "0.3", "0.5,"],
        ["0.2 0.3 0.5"],  # one quoted word
        ["2", "3", "5"],  # weights need not sum to 1
        ["1_0", "15", "25"],
    ],
)
def test_values_as_numbers(words):
    target = read_target(words)
    np.testing.assert_allclose(target.probs, [[0.2, 0.3, 0.5]])
    assert target.labels is None


@pytest.mark.parametrize(
    "words",
    [["red=0.2", "green=0.8"], ["red=0.2,green=0.8"], ["red = 0.2", " green=0.8 "], ["red=1", "green=4"]],
)
def test_values_as_pairs(words):
    target = read_target(words)
    np.testing.assert_allclose(target.probs, [[0.2, 0.8]])
    assert target.labels == ("red", "green")


def test_values_pairs_with_spaces_in_labels_and_logits():
    target = read_target(["dark red=0", "blue=-inf"], logits=True)
    assert target.labels == ("dark red", "blue")
    assert target.probs.tolist() == [[1.0, 0.0]]


def test_values_with_labels_option():
    target = read_target(["1", "3"], labels="a, b")
    assert target.labels == ("a", "b")
    quoted = read_target(["1", "3"], labels='"x,y",z')
    assert quoted.labels == ("x,y", "z")


def test_values_take_precedence_over_piped_stdin():
    target = read_target(["1", "1"], stdin=stdin(b"1 2 3"))
    assert target.n_categories == 2


def test_values_always_form_one_row():
    assert read_target(["1", "2", "3", "4"]).rows == 1


# --------------------------------------------------------------------------------------------
# Files and standard input


def test_text_file_rows(tmp_path):
    path = write(tmp_path, "p.txt", "# weights\n1 3\n\n2, 2\n 0\t4 \n")
    target = read_target([], file=path)
    np.testing.assert_allclose(target.probs, [[0.25, 0.75], [0.5, 0.5], [0.0, 1.0]])
    assert target.labels is None


def test_text_file_with_header(tmp_path):
    path = write(tmp_path, "p.txt", "heads tails\n1 1\n")
    assert read_target([], file=path).labels == ("heads", "tails")


def test_text_file_with_pairs(tmp_path):
    path = write(tmp_path, "p.txt", "# one distribution\nred=1 green=3\n")
    target = read_target([], file=path)
    assert target.labels == ("red", "green")
    np.testing.assert_allclose(target.probs, [[0.25, 0.75]])


def test_csv_with_quoted_header(tmp_path):
    path = write(tmp_path, "p.csv", 'a,"dark, red", c\n1,2,1\n# comment\n2,2,4\n')
    target = read_target([], file=path)
    assert target.labels == ("a", "dark, red", "c")
    np.testing.assert_allclose(target.probs, [[0.25, 0.5, 0.25], [0.25, 0.25, 0.5]])


def test_csv_without_header(tmp_path):
    path = write(tmp_path, "p.csv", "1,3\n")
    target = read_target([], file=path)
    assert target.labels is None
    np.testing.assert_allclose(target.probs, [[0.25, 0.75]])


def test_tsv_with_header_labels_containing_spaces(tmp_path):
    path = write(tmp_path, "p.tsv", "dark red\tlight blue\n1\t3\n3\t1\n")
    target = read_target([], file=path)
    assert target.labels == ("dark red", "light blue")
    np.testing.assert_allclose(target.probs, [[0.25, 0.75], [0.75, 0.25]])


def test_utf8_bom_is_tolerated(tmp_path):
    path = write(tmp_path, "p.csv", "\ufeffa,b\n1,1\n".encode())
    assert read_target([], file=path).labels == ("a", "b")


def test_json_list(tmp_path):
    target = read_target([], file=write(tmp_path, "p.json", "[1, 3]"))
    np.testing.assert_allclose(target.probs, [[0.25, 0.75]])


def test_json_list_of_lists(tmp_path):
    target = read_target([], file=write(tmp_path, "p.json", "[[1, 3], [2.5, 2.5]]"))
    np.testing.assert_allclose(target.probs, [[0.25, 0.75], [0.5, 0.5]])


def test_json_object(tmp_path):
    target = read_target([], file=write(tmp_path, "p.json", '{"red": 1, "green": 3}'))
    assert target.labels == ("red", "green")
    np.testing.assert_allclose(target.probs, [[0.25, 0.75]])


def test_json_logits_with_minus_infinity():
    target = read_target([], stdin=stdin(b"[0, -Infinity]"), logits=True)
    assert target.probs.tolist() == [[1.0, 0.0]]


def test_npy_1d_and_2d(tmp_path):
    one = tmp_path / "one.npy"
    np.save(one, np.array([1.0, 3.0]))
    np.testing.assert_allclose(read_target([], file=str(one)).probs, [[0.25, 0.75]])
    two = tmp_path / "two.npy"
    np.save(two, np.array([[1, 3], [2, 2]], dtype=np.int32))
    target = read_target([], file=str(two))
    assert target.rows == 2
    np.testing.assert_allclose(target.probs, [[0.25, 0.75], [0.5, 0.5]])


def test_npy_sniffed_from_stdin_and_other_suffix(tmp_path):
    buffer = io.BytesIO()
    np.save(buffer, np.array([[0.0, 1.0]], dtype=np.float32))
    assert read_target([], stdin=stdin(buffer.getvalue())).probs.tolist() == [[0.0, 1.0]]
    path = write(tmp_path, "weights.bin", buffer.getvalue())
    assert read_target([], file=path).probs.tolist() == [[0.0, 1.0]]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"1 3\n", [[0.25, 0.75]]),
        (b"1,3\n3,1\n", [[0.25, 0.75], [0.75, 0.25]]),
        (b"  [1, 3]", [[0.25, 0.75]]),
        (b'{"a": 1, "b": 3}', [[0.25, 0.75]]),
        (b"a=1 b=3", [[0.25, 0.75]]),
        (b'"dark red" blue\n1 3\n', [[0.25, 0.75]]),
    ],
)
def test_stdin_is_sniffed(data, expected):
    np.testing.assert_allclose(read_target([], stdin=stdin(data)).probs, expected)


def test_dash_reads_stdin():
    target = read_target([], file="-", stdin=stdin(b"heads,tails\n1,1\n"))
    assert target.labels == ("heads", "tails")


def test_unknown_suffix_is_sniffed_as_json(tmp_path):
    path = write(tmp_path, "weights.dat", "[[1, 1]]")
    assert read_target([], file=path).rows == 1


def test_labels_option_with_file(tmp_path):
    path = write(tmp_path, "p.txt", "1 1\n2 2\n")
    assert read_target([], file=path, labels="x,y").labels == ("x", "y")


def test_read_source_bytes(tmp_path):
    path = write(tmp_path, "raw.bin", b"\x00\x01")
    assert read_source_bytes(path, None) == b"\x00\x01"
    assert read_source_bytes("-", stdin(b"abc")) == b"abc"
    assert read_source_bytes("-", io.StringIO("abc")) == b"abc"  # a text stream is tolerated


# --------------------------------------------------------------------------------------------
# Rejected weights and logits


@pytest.mark.parametrize(
    ("words", "fragments"),
    [
        (["0.5", "-0.2"], ["-0.2", "position 2", "negative", "--probs accepts", "--logits"]),
        (["0.5", "nan"], ["nan", "position 2", "NaN", "--probs accepts"]),
        (["inf", "1"], ["inf", "position 1", "--probs accepts"]),
        (["1", "1e400"], ["1e400", "position 2", "overflows"]),
        (["-inf", "1"], ["-inf", "position 1"]),
        (["0", "0", "0"], ["zero", "VALUES", "at least one weight must be positive"]),
    ],
)
def test_bad_weights(words, fragments):
    reject(lambda: read_target(words), *fragments)


@pytest.mark.parametrize(
    ("words", "fragments"),
    [
        (["0", "inf"], ["inf", "position 2", "+inf", "--logits accepts"]),
        (["0", "+Infinity"], ["+Infinity", "position 2"]),
        (["NaN", "0"], ["NaN", "position 1", "--logits accepts"]),
        (["-inf", "-Infinity"], ["-inf", "VALUES", "at least one logit must be finite"]),
    ],
)
def test_bad_logits(words, fragments):
    reject(lambda: read_target(words, logits=True), *fragments)


def test_bad_values_in_the_python_api():
    reject(lambda: target_from_probs([1.0, -0.5]), "-0.5", "position 2", "negative")
    reject(lambda: target_from_probs([[1, 1], [1, np.nan]]), "nan", "row 2, column 2")
    reject(lambda: target_from_probs([[1, 1], [0, 0]]), "row 2", "zero")
    reject(lambda: target_from_logits([[0, np.inf]]), "inf", "row 1, column 2")
    reject(lambda: target_from_logits([-np.inf, -np.inf]), "-inf")
    reject(lambda: target_from_logits([0, np.nan]), "nan", "position 2")
    reject(lambda: target_from_probs([]), "no values")
    reject(lambda: target_from_probs(np.zeros((0, 3))), "no values")
    reject(lambda: target_from_probs(3.0), "scalar")
    reject(lambda: target_from_probs(np.ones((2, 2, 2))), "3-D")
    reject(lambda: target_from_probs(["a", "b"]), "dtype")
    reject(lambda: target_from_probs([True, False]), "dtype bool")
    reject(lambda: target_from_probs([[1, 2], [3]]), "different lengths")
    reject(lambda: target_from_probs([1, 2], labels="ab"), "'ab'")
    reject(lambda: target_from_probs([1, 2], labels=["a"]), "1 label", "2 categories")
    reject(lambda: target_from_probs([1, 2], labels=["a", 3]), "3", "not a string")


def test_bad_weights_in_files_name_row_column_and_line(tmp_path):
    path = write(tmp_path, "data.csv", "a,b,c\n1,2,3\n4,5,-6\n")
    reject(lambda: read_target([], file=path), "-6", "row 2, column 3", "line 3", "data.csv")
    zero = write(tmp_path, "zero.txt", "1 1\n0 0\n")
    reject(lambda: read_target([], file=zero), "row 2", "line 2", "zero")
    js = write(tmp_path, "d.json", "[[1, 2], [3, NaN]]")
    reject(lambda: read_target([], file=js), "NaN", "JSON path [1][1]", "d.json")
    obj = write(tmp_path, "o.json", '{"a": 1, "b": -2}')
    reject(lambda: read_target([], file=obj), "-2", 'JSON path ["b"]')
    arr = tmp_path / "a.npy"
    np.save(arr, np.array([[1.0, 2.0], [3.0, -4.0]]))
    reject(lambda: read_target([], file=str(arr)), "-4.0", "row 2, column 2", "a.npy")
    one = tmp_path / "one.npy"
    np.save(one, np.array([-np.inf, -np.inf]))
    reject(lambda: read_target([], file=str(one), logits=True), "-inf", "one.npy")
    np.save(one, np.array([0.0, np.inf]))
    reject(lambda: read_target([], file=str(one), logits=True), "inf", "position 2 of", "one.npy")


# --------------------------------------------------------------------------------------------
# Rejected VALUES and labels


@pytest.mark.parametrize(
    ("words", "fragments"),
    [
        (["0.2", "abc"], ["'abc'", "position 2", "is not a number", "VALUES are numbers"]),
        (["abc"], ["'abc'", "position 1", "label=value pairs (a=0.2 b=0.8)"]),
        (["0.2,,0.8"], ["'0.2,,0.8'", "empty value"]),
        (["a=0.2", "0.8"], ["'0.8'", "position 2", "give every value a label or none"]),
        (["0.2", "b=0.8"], ["'b=0.8'", "position 2", "give every value a label or none"]),
        (["a=", "b=1"], ["'a='", "no value"]),
        (["a=x"], ["'x'", "position 1"]),
        (["=1", "b=1"], ["empty", "position 1"]),
        (["a=1", "a=2"], ["'a'", "positions 1 and 2", "unique"]),
        (["a=1", "b\x00c=2"], ["'b\\x00c'", "control character"]),
        (["−1"], ["'−1'", "not a number"]),  # a Unicode minus sign
        ([","], ["no values in VALUES"]),
    ],
)
def test_bad_values(words, fragments):
    reject(lambda: read_target(words), *fragments)


@pytest.mark.parametrize(
    ("labels", "fragments"),
    [
        ("a,a,b", ["'a'", "positions 1 and 2", "--labels", "unique"]),
        ("a,b", ["2 labels", "3 categories", "--labels"]),
        ("a,b,c,d", ["4 labels", "3 categories"]),
        ("a,,c", ["position 2", "empty"]),
        ("a,b\tx,c", ["'b\\tx'", "control character"]),
        ("", ["--labels is empty"]),
        ('"a,b', ["--labels", "'\"a,b'"]),
    ],
)
def test_bad_labels_option(labels, fragments):
    reject(lambda: read_target(["1", "2", "3"], labels=labels), *fragments)


def test_labels_option_conflicts_with_labels_in_the_input(tmp_path):
    reject(lambda: read_target(["a=1", "b=2"], labels="x,y"), "--labels", "VALUES", "one way only")
    header = write(tmp_path, "h.csv", "a,b\n1,2\n")
    reject(lambda: read_target([], file=header, labels="x,y"), "--labels", "header", "h.csv")
    obj = write(tmp_path, "o.json", '{"a": 1, "b": 2}')
    reject(lambda: read_target([], file=obj, labels="x,y"), "--labels", "JSON object")


def test_duplicate_labels_in_files(tmp_path):
    header = write(tmp_path, "h.csv", "a,b,a\n1,2,3\n")
    reject(lambda: read_target([], file=header), "'a'", "positions 1 and 3", "header", "h.csv")
    obj = write(tmp_path, "o.json", '{"a": 1, "b": 2, "a": 3}')
    reject(lambda: read_target([], file=obj), "'a'", "positions 1 and 3", "JSON object")


# --------------------------------------------------------------------------------------------
# Rejected files and sources


def test_no_distribution_at_all():
    message = reject(lambda: read_target([]), "no distribution given")
    assert message == (
        "no distribution given: pass VALUES (e.g. 0.2 0.8), --file PATH, or pipe values on standard input"
    )


def test_values_and_file_together(tmp_path):
    path = write(tmp_path, "p.txt", "1 1")
    reject(lambda: read_target(["1"], file=path), "VALUES", "--file", "p.txt")


def test_dash_without_piped_stdin():
    reject(lambda: read_target([], file="-"), "standard input is a terminal")
    reject(lambda: read_source_bytes("-", None), "standard input is a terminal; pipe data in or give a file")


def test_missing_file(tmp_path):
    path = str(tmp_path / "missing.csv")
    reject(lambda: read_target([], file=path), "missing.csv", os.strerror(2))
    reject(lambda: read_source_bytes(path, None), "missing.csv", "No such file")


def test_directory(tmp_path):
    reject(lambda: read_target([], file=str(tmp_path)), str(tmp_path), "directory")


def test_unreadable_file(tmp_path, monkeypatch):
    path = tmp_path / "secret.txt"
    path.write_text("1 1")

    def refuse(*args, **kwargs):
        raise PermissionError(13, os.strerror(13), str(path))

    # chmod 0 does not stop root (CI containers), so make open() itself refuse.
    monkeypatch.setattr("builtins.open", refuse)
    reject(lambda: read_target([], file=str(path)), "secret.txt", os.strerror(13))


def test_path_with_nul_byte():
    reject(lambda: read_source_bytes("a\x00b", None), "a\\x00b")


@pytest.mark.parametrize(
    ("name", "content", "fragments"),
    [
        ("e.txt", "", ["no values in", "e.txt"]),
        ("c.txt", "# only a comment\n\n   \n", ["no values in", "c.txt", "comments"]),
        ("h.csv", "a,b\n", ["no values in", "h.csv", "header", "'a'"]),
        ("l.json", "[]", ["no values in", "l.json"]),
        ("r.json", "[[]]", ["no values in", "r.json"]),
        ("o.json", "{}", ["no values in", "o.json"]),
    ],
)
def test_empty_inputs(tmp_path, name, content, fragments):
    reject(lambda: read_target([], file=write(tmp_path, name, content)), *fragments)


def test_empty_stdin():
    reject(lambda: read_target([], stdin=stdin(b"")), "no values in <stdin>", "pipe values")
    reject(lambda: read_target([], stdin=stdin(b"  \n\n")), "no values in <stdin>")


def test_empty_npy(tmp_path):
    path = tmp_path / "e.npy"
    np.save(path, np.zeros((0,)))
    reject(lambda: read_target([], file=str(path)), "no values in", "e.npy")


@pytest.mark.parametrize(
    ("name", "content", "fragments"),
    [
        ("r.txt", "1 2 3\n\n4 5\n", ["row 2", "line 3", "2 values", "row 1 (line 1) has 3"]),
        ("r.csv", "a,b\n1,2\n3,4,5\n", ["row 2", "line 3", "3 values", "has 2"]),
        ("h.csv", "a,b,c\n1,2\n", ["header", "3 labels", "2 values"]),
        ("r.json", "[[1, 2], [3]]", ["row 2", "JSON path [1]", "1 value", "row 1 has 2"]),
    ],
)
def test_ragged_rows(tmp_path, name, content, fragments):
    reject(lambda: read_target([], file=write(tmp_path, name, content)), *fragments)


@pytest.mark.parametrize(
    ("name", "content", "fragments"),
    [
        ("t.txt", "1 2\n3 x\n", ["'x'", "row 2, column 2", "line 2", "t.txt", "not a number"]),
        ("t.txt", "1 abc 2\n", ["'abc'", "row 1, column 2", "header line made only of labels"]),
        ("t.csv", "1,,2\n", ["empty value", "row 1, column 2", "t.csv"]),
        ("t.tsv", "1\t2\n3\tfoo\n", ["'foo'", "row 2, column 2", "TSV input"]),
        ("t.csv", '1,"2\n', ["line 1", "t.csv", "cannot be split"]),
        ("p.txt", "a=1 b=2\nc=3 d=4\n", ["label=value pairs", "line 1", "2 lines"]),
        ("p.txt", "a=1 2\n", ["'2'", "give every value a label or none"]),
        ("p.csv", "a=1,,b=2\n", ["empty value", "row 1, column 2"]),
    ],
)
def test_bad_text(tmp_path, name, content, fragments):
    reject(lambda: read_target([], file=write(tmp_path, name, content)), *fragments)


def test_bad_utf8(tmp_path):
    path = write(tmp_path, "bad.txt", b"0.5 \xff 0.5\n")
    reject(lambda: read_target([], file=path), "bad.txt", "UTF-8", "0xff", "offset 4")
    reject(lambda: read_target([], stdin=stdin(b"\xc3\x28")), "<stdin>", "UTF-8", "0xc3")


@pytest.mark.parametrize(
    ("content", "fragments"),
    [
        ("[1, 2", ["not valid JSON", "line 1", "b.json"]),
        ("{'a': 1}", ["not valid JSON", "b.json"]),
        ("[1, true]", ["true", "JSON path [1]", "not a number"]),
        ("[1, null]", ["null", "JSON path [1]"]),
        ('[1, "0.5"]', ["'0.5'", "JSON path [1]", "string"]),
        ("[[1, 2], [3, [4]]]", ["a list", "JSON path [1][1]"]),
        ("[[1, 2], 3]", ["the number 3", "JSON path [1]", "not a list"]),
        ("[1, [2]]", ["a list", "JSON path [1]"]),
        ('{"a": [1, 2]}', ["a list", 'JSON path ["a"]']),
        ('{"a": {"b": 1}}', ["an object", 'JSON path ["a"]']),
        ('[{"a": 1}]', ["an object", "JSON path [0]"]),
        ('"text"', ["'text'", "list of numbers"]),
        ("3", ["the number 3", "list of numbers"]),
    ],
)
def test_bad_json(tmp_path, content, fragments):
    reject(lambda: read_target([], file=write(tmp_path, "b.json", content)), *fragments)


def test_deeply_nested_json():
    reject(lambda: read_target([], stdin=stdin(b"[" * 100_000 + b"]" * 100_000)), "<stdin>")


def test_bad_npy(tmp_path):
    fake = write(tmp_path, "fake.npy", b"1 2 3")
    reject(lambda: read_target([], file=fake), "fake.npy", "not a NumPy .npy file")
    truncated = io.BytesIO()
    np.save(truncated, np.arange(10.0))
    cut = write(tmp_path, "cut.npy", truncated.getvalue()[:-8])
    reject(lambda: read_target([], file=cut), "cut.npy", "cannot load")
    for name, arr, fragment in [
        ("c.npy", np.array([1 + 1j, 2]), "complex128"),
        ("b.npy", np.array([True, False]), "bool"),
        ("s.npy", np.array(["a", "b"]), "<U1"),
        ("three.npy", np.ones((2, 2, 2)), "3-D"),
        ("zero.npy", np.float64(1.0), "0-D"),
    ]:
        path = tmp_path / name
        np.save(path, arr)
        reject(lambda: read_target([], file=str(path)), name, fragment)


def test_pickled_npy_is_refused(tmp_path):
    path = tmp_path / "obj.npy"
    np.save(path, np.array([1, "a"], dtype=object), allow_pickle=True)
    reject(lambda: read_target([], file=str(path)), "obj.npy", "cannot load")


# --------------------------------------------------------------------------------------------
# Counts and thread numbers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        ("1000", 1000),
        (" 42 ", 42),
        ("+7", 7),
        ("1e6", 1_000_000),
        ("1E6", 1_000_000),
        ("1e+3", 1000),
        ("10k", 10_000),
        ("10K", 10_000),
        ("2M", 2_000_000),
        ("2m", 2_000_000),
        ("3G", 3_000_000_000),
        ("2.5k", 2500),
        ("1.5e3", 1500),
        ("1_000_000", 1_000_000),
        ("5.", 5),
        ("9223372036854775807", 2**63 - 1),
    ],
)
def test_parse_count_accepts(text, expected):
    assert parse_count(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("0", "is not positive"),
        ("-5", "is not positive"),
        ("0k", "is not positive"),
        ("1.5", "is not a whole number"),
        ("1e-3", "is not a whole number"),
        ("2.0005k", "is not a whole number"),
        ("abc", "is not a count"),
        ("", "is not a count"),
        ("nan", "is not a count"),
        ("inf", "is not a count"),
        ("1e", "is not a count"),
        ("k", "is not a count"),
        ("10kk", "is not a count"),
        ("1__0", "is not a count"),
        ("0x10", "is not a count"),
        ("١٠", "is not a count"),  # non-ASCII digits
        ("1e30", "too large"),
        ("1e99999999999999999999999", "is not a count"),
    ],
)
def test_parse_count_rejects(text, fragment):
    message = reject(lambda: parse_count(text, option="-n"), "-n", repr(text), fragment)
    assert "accepts a positive integer such as 1000, 1e6, 10k, 2M or 1_000_000" in message


def test_parse_count_names_its_option():
    reject(lambda: parse_count("0", option="--monte-carlo"), "--monte-carlo '0'")


@pytest.mark.parametrize(("text", "expected"), [("1", 1), ("16", 16), (" 4 ", 4), ("+2", 2)])
def test_parse_positive_int_accepts(text, expected):
    assert parse_positive_int(text, option="--threads") == expected


@pytest.mark.parametrize("text", ["0", "-1", "1.5", "1e3", "4k", "abc", "", "٤"])
def test_parse_positive_int_rejects(text):
    reject(
        lambda: parse_positive_int(text, option="GUMBEL_THREADS"), "GUMBEL_THREADS", repr(text), "at least 1"
    )


# --------------------------------------------------------------------------------------------
# Import cost


def test_no_heavy_imports():
    import subprocess

    code = (
        "import sys, gumbelcli.inputs; "
        "bad = [m for m in ('typer', 'rich', 'scipy', 'click') if m in sys.modules]; "
        "sys.exit(bool(bad) and print(bad) is None)"
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_json_roundtrip_of_labels_with_unicode():
    data = json.dumps({"rouge": 1, "vert émeraude": 3}, ensure_ascii=False).encode()
    assert read_target([], stdin=stdin(data)).labels == ("rouge", "vert émeraude")
