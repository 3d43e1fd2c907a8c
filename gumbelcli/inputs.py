"""Inputs: command-line words, files and standard input -> validated distributions.

Every error the user can make in a distribution, a count or a path is raised here as an
:class:`~gumbelcli.errors.InputError` whose message is one line naming *what* is wrong (the
offending token), *where* (position, row and column, line, JSON path) and *what is accepted*.

This module is imported on every TAB completion, so it uses NumPy and the standard library only.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

import numpy as np
from numpy.typing import ArrayLike

from .errors import InputError

__all__ = [
    "Target",
    "parse_count",
    "parse_positive_int",
    "read_source_bytes",
    "read_target",
    "apply_temperature",
    "check_temperature",
    "parse_temperature",
    "target_from_logits",
    "target_from_probs",
]

# What each input form accepts, appended to the messages that reject a token.
_VALUES_ACCEPTED = "VALUES are numbers (0.2 0.8), comma lists (0.2,0.8) or label=value pairs (a=0.2 b=0.8)"
_TEXT_ACCEPTED = (
    "text input has one distribution per line, numbers separated by whitespace or commas, "
    "optionally after a header line made only of labels"
)
_CSV_ACCEPTED = (
    "CSV input has one distribution per row of comma-separated numbers, "
    "optionally after a header row of labels"
)
_TSV_ACCEPTED = (
    "TSV input has one distribution per row of tab-separated numbers, "
    "optionally after a header row of labels"
)
_JSON_ACCEPTED = (
    "JSON input is a list of numbers, a list of lists of numbers, or an object mapping labels to numbers"
)
_PROBS_ACCEPTED = "--probs accepts non-negative finite weights"
_LOGITS_ACCEPTED = "--logits accepts real numbers and -inf"
_HOW_TO_GIVE = "pass VALUES (e.g. 0.2 0.8), --file PATH, or pipe values on standard input"
_NO_DISTRIBUTION = f"no distribution given: {_HOW_TO_GIVE}"

_NPY_MAGIC = b"\x93NUMPY"
_STDIN_NAME = "<stdin>"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Characters that would break a one-line message or a one-label-per-line output.
_FORBIDDEN_LABEL_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})


def _error(message: str) -> InputError:
    """An InputError whose message is guaranteed to fit on one line."""
    return InputError(" ".join(message.splitlines()))


# --------------------------------------------------------------------------------------------
# The validated result


@dataclass(frozen=True)
class Target:
    """A batch of categorical distributions, validated.

    Build it with :func:`target_from_probs`, :func:`target_from_logits` or :func:`read_target`,
    which check the input; the constructor itself does not.

    Attributes
    ----------
    probs : numpy.ndarray
        float64, shape ``(rows, K)``; each row sums to 1 (to rounding). Read-only.
    log_probs : numpy.ndarray
        float64, shape ``(rows, K)``; the natural log of the probabilities computed without
        underflow where possible (``-inf`` exactly where the weight is 0 or the logit is ``-inf``).
        It may be finite where ``probs`` underflows to 0 (probabilities below about 1e-308).
        Read-only.
    labels : tuple of str or None
        One label per category, or None.
    """

    probs: np.ndarray
    log_probs: np.ndarray
    labels: tuple[str, ...] | None = None

    @property
    def rows(self) -> int:
        """Number of distributions in the batch."""
        return int(self.probs.shape[0])

    @property
    def n_categories(self) -> int:
        """Number of categories K (shared by every row)."""
        return int(self.probs.shape[1])

    @property
    def display_labels(self) -> tuple[str, ...]:
        """The labels, or the 0-based indices as strings when there are none."""
        if self.labels is not None:
            return self.labels
        return tuple(str(i) for i in range(self.n_categories))

    # Arrays make the generated __eq__/__hash__ unusable, so compare by value explicitly.
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Target):
            return NotImplemented
        return (
            self.labels == other.labels
            and np.array_equal(self.probs, other.probs)
            and np.array_equal(self.log_probs, other.log_probs)
        )

    def __hash__(self) -> int:
        # The arrays are read-only, so hashing their bytes is stable.
        return hash((self.labels, self.probs.shape, self.probs.tobytes()))


# --------------------------------------------------------------------------------------------
# Where a value came from: phrases for messages


@dataclass(frozen=True)
class _Where:
    """Describes positions in one input, for messages.

    ``cell(r, c)`` says where value ``c`` of row ``r`` is ("position 3", "row 2, column 4
    (line 5 of 'data.csv')"); ``row(r)`` names a whole row so that "all weights in <row> are
    zero" reads well.
    """

    cell: Callable[[int, int], str]
    row: Callable[[int], str]


def _where_values() -> _Where:
    return _Where(cell=lambda r, c: f"position {c + 1}", row=lambda r: "VALUES")


def _where_array(one_d: bool, src: str | None) -> _Where:
    """Positions in an array: the Python API (``src`` None) or a ``.npy`` file."""
    of = f" of {src}" if src else ""
    if one_d:
        return _Where(cell=lambda r, c: f"position {c + 1}{of}", row=lambda r: src or "the distribution")
    return _Where(cell=lambda r, c: f"row {r + 1}, column {c + 1}{of}", row=lambda r: f"row {r + 1}{of}")


def _where_text(lines: Sequence[int], src: str) -> _Where:
    """Positions in a text file: the row says which distribution, the line where to look."""
    return _Where(
        cell=lambda r, c: f"row {r + 1}, column {c + 1} (line {lines[r]} of {src})",
        row=lambda r: f"row {r + 1} (line {lines[r]} of {src})",
    )


def _where_json(src: str, paths: Sequence[str] | None) -> _Where:
    """Positions in JSON: ``paths`` for a single row (list indices or object keys), else a batch."""
    if paths is not None:
        return _Where(cell=lambda r, c: f"JSON path {paths[c]} of {src}", row=lambda r: src)
    return _Where(
        cell=lambda r, c: f"JSON path [{r}][{c}] of {src}",
        row=lambda r: f"row {r + 1} (JSON path [{r}]) of {src}",
    )


# --------------------------------------------------------------------------------------------
# Validation and normalisation (shared by the Python API and every input form)


def _check_labels(raw: Sequence[object], origin: str) -> tuple[str, ...]:
    """Strip labels and check they are non-empty, printable and unique."""
    labels: list[str] = []
    first_seen: dict[str, int] = {}
    for position, label in enumerate(raw, 1):
        if not isinstance(label, str):
            raise _error(
                f"label {label!r} at position {position} of {origin} is not a string; labels are text"
            )
        label = label.strip()
        if not label:
            raise _error(f"label at position {position} of {origin} is empty; labels must be non-empty text")
        bad = next((ch for ch in label if unicodedata.category(ch) in _FORBIDDEN_LABEL_CATEGORIES), None)
        if bad is not None:
            raise _error(
                f"label {label!r} at position {position} of {origin} contains the control character {bad!r}; "
                "labels must be printable text"
            )
        if label in first_seen:
            raise _error(
                f"label {label!r} appears twice in {origin}, "
                f"at positions {first_seen[label]} and {position}; labels must be unique"
            )
        first_seen[label] = position
        labels.append(label)
    return tuple(labels)


def _count(n: int, noun: str, plural: str | None = None) -> str:
    """'1 value', '3 values'."""
    return f"{n} {noun}" if n == 1 else f"{n} {plural or noun + 's'}"


def _overflow_word(token: str, infinity: str) -> str:
    """'is +inf' when the user wrote infinity, 'overflows to +inf' when a huge number got there."""
    return f"is {infinity}" if "inf" in token.lower() else f"overflows to {infinity}"


def _validate(
    values: np.ndarray, *, logits: bool, tokens: Sequence[Sequence[str]] | None, where: _Where
) -> None:
    """Raise on the first bad value (row-major order), then on the first row with no mass."""

    def shown(r: int, c: int) -> str:
        # The user's own spelling where we have it ("1e400"), else Python's repr ("nan").
        return tokens[r][c] if tokens is not None else repr(float(values[r, c]))

    if logits:
        bad = np.isnan(values) | (values == np.inf)
    else:
        bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        r, c = (int(i) for i in np.unravel_index(int(np.argmax(bad)), bad.shape))
        value, token, at = values[r, c], shown(r, c), where.cell(r, c)
        if logits:
            what = "is NaN" if np.isnan(value) else _overflow_word(token, "+inf")
            raise _error(f"logit {token} at {at} {what}; {_LOGITS_ACCEPTED}")
        if np.isnan(value):
            what = "is NaN"
        elif np.isinf(value):
            what = _overflow_word(token, "infinity")
        else:
            what = "is negative"
        raise _error(f"weight {token} at {at} {what}; {_PROBS_ACCEPTED} (use --logits for log-probabilities)")

    if logits:
        dead = np.isneginf(values).all(axis=1)
        if dead.any():
            row = where.row(int(np.argmax(dead)))
            raise _error(f"all logits in {row} are -inf; at least one logit must be finite")
    else:
        dead = ~(values > 0).any(axis=1)
        if dead.any():
            row = where.row(int(np.argmax(dead)))
            raise _error(f"all weights in {row} are zero; at least one weight must be positive")


def _normalise(values: np.ndarray, *, logits: bool) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities and log-probabilities of validated rows, without overflow or underflow traps."""
    # Overflow (e.g. 1e308 - -1e308) and log(0) are expected here and give the right -inf/0.
    with np.errstate(divide="ignore", over="ignore", under="ignore", invalid="ignore"):
        top = values.max(axis=1, keepdims=True)
        if logits:
            # Stable softmax: after subtracting the max, the largest term is exp(0) = 1.
            shifted = values - top
            terms = np.exp(shifted)
            total = terms.sum(axis=1, keepdims=True)
            probs = terms / total
            log_probs = shifted - np.log(total)
        else:
            # Scale by the max first so that the sum cannot overflow (1e308 + 1e308); take logs of
            # the raw weights so that tiny ratios stay finite in log space.
            scaled = values / top + 0.0  # + 0.0 turns a -0.0 weight into +0.0
            total = scaled.sum(axis=1, keepdims=True)
            probs = scaled / total
            log_probs = (np.log(values) - np.log(top)) - np.log(total)
    return probs, log_probs


def _build(
    values: np.ndarray,
    *,
    logits: bool,
    where: _Where,
    tokens: Sequence[Sequence[str]] | None = None,
    labels: Sequence[object] | None = None,
    labels_origin: str = "labels",
) -> Target:
    """Validate a (rows, K) float64 array and its labels, and make the Target."""
    rows, k = values.shape
    if rows == 0 or k == 0:
        raise _error(f"no values: the input is empty (shape {values.shape}); give at least one category")
    _validate(values, logits=logits, tokens=tokens, where=where)
    checked: tuple[str, ...] | None = None
    if labels is not None:
        if len(labels) != k:
            raise _error(
                f"{labels_origin} gives {_count(len(labels), 'label')} but the input has "
                f"{_count(k, 'category', 'categories')}; give one label per category"
            )
        checked = _check_labels(labels, labels_origin)
    probs, log_probs = _normalise(values, logits=logits)
    probs.setflags(write=False)
    log_probs.setflags(write=False)
    return Target(probs=probs, log_probs=log_probs, labels=checked)


def _as_matrix(data: ArrayLike, name: str) -> tuple[np.ndarray, _Where]:
    """A 1-D or 2-D array-like -> float64 (rows, K) array, for the Python API."""
    try:
        arr = np.asarray(data)
    except ValueError as exc:  # ragged nested sequences
        raise _error(f"{name} have rows of different lengths; pass a 1-D sequence or a 2-D array") from exc
    if arr.ndim not in (1, 2):
        shape = "a scalar" if arr.ndim == 0 else f"a {arr.ndim}-D array of shape {arr.shape}"
        raise _error(f"{name} must be 1-D (one distribution) or 2-D (one distribution per row), got {shape}")
    one_d = arr.ndim == 1
    arr2 = arr.reshape(1, -1) if one_d else arr
    where = _where_array(one_d, None)
    if arr2.dtype.kind in "iuf":
        return arr2.astype(np.float64), where
    if arr2.dtype.kind != "O":
        raise _error(f"{name} must be real numbers, got an array of dtype {arr2.dtype}")
    # Object arrays: Fractions, Decimals, huge ints... anything float() takes, except text and bools.
    out = np.empty(arr2.shape, dtype=np.float64)
    for (r, c), item in np.ndenumerate(arr2):
        try:
            if isinstance(item, (str, bytes, bool, np.bool_)):
                raise TypeError
            out[r, c] = float(item)
        except (TypeError, ValueError, OverflowError) as exc:
            raise _error(f"{name} entry {item!r} at {where.cell(r, c)} is not a real number") from exc
    return out, where


def _api_labels(labels: Sequence[str] | None) -> Sequence[str] | None:
    if isinstance(labels, str):
        raise _error(
            f"labels must be a sequence of strings such as ['a', 'b'], not the single string {labels!r}"
        )
    return None if labels is None else list(labels)


def target_from_probs(weights: ArrayLike, labels: Sequence[str] | None = None) -> Target:
    """Validate non-negative weights and normalise them into probabilities.

    Parameters
    ----------
    weights : array_like
        Finite, non-negative weights: 1-D for one distribution, 2-D for one distribution per row.
        Rows need not sum to 1; each is divided by its sum, which must be positive.
    labels : sequence of str, optional
        One label per category (stripped, non-empty, unique, no control characters).

    Returns
    -------
    Target
        Read-only probabilities and log-probabilities, shape ``(rows, K)``.

    Raises
    ------
    InputError
        On a negative, NaN or infinite weight, a row of zeros, an empty or ragged input,
        a bad shape or dtype, or bad labels.

    Examples
    --------
    >>> target_from_probs([1, 3]).probs
    array([[0.25, 0.75]])
    """
    values, where = _as_matrix(weights, "weights")
    return _build(values, logits=False, where=where, labels=_api_labels(labels))


def target_from_logits(logits: ArrayLike, labels: Sequence[str] | None = None) -> Target:
    """Validate logits and turn them into probabilities with a stable softmax.

    Parameters
    ----------
    logits : array_like
        Real numbers or ``-inf`` (a category that can never be drawn): 1-D for one distribution,
        2-D for one distribution per row. Only differences within a row matter.
    labels : sequence of str, optional
        One label per category (stripped, non-empty, unique, no control characters).

    Returns
    -------
    Target
        ``probs = softmax(logits)`` and ``log_probs = logits - logsumexp(logits)`` per row.

    Raises
    ------
    InputError
        On a NaN or ``+inf`` logit, a row of only ``-inf``, an empty or ragged input, a bad shape
        or dtype, or bad labels.

    Examples
    --------
    >>> target_from_logits([0.0, 0.0]).probs
    array([[0.5, 0.5]])
    """
    values, where = _as_matrix(logits, "logits")
    return _build(values, logits=True, where=where, labels=_api_labels(labels))


# --------------------------------------------------------------------------------------------
# Parsing the command line, text, JSON and .npy into rows of tokens


@dataclass
class _Parsed:
    """Rows read from one source, before validation."""

    values: np.ndarray  # float64 (rows, K)
    tokens: list[list[str]] | None  # the user's spelling of each value, for messages
    where: _Where
    labels: list[str] | None = None
    labels_origin: str = ""  # e.g. "the header (line 1 of 'data.csv')"


def _float(token: str) -> float | None:
    """float(token), or None when it is not a number. Accepts nan, inf, -Infinity, 1_000."""
    try:
        return float(token)
    except ValueError:
        return None


def _floats(rows: Sequence[Sequence[str]], where: _Where, accepted: str) -> np.ndarray:
    out = np.empty((len(rows), len(rows[0])), dtype=np.float64)
    for r, row in enumerate(rows):
        for c, token in enumerate(row):
            value = _float(token)
            if value is None:
                raise _error(f"{token!r} at {where.cell(r, c)} is not a number; {accepted}")
            out[r, c] = value
    return out


def _tokens_of(
    fields: Sequence[str], cell: Callable[[int], str], accepted: str
) -> tuple[list[str], list[str] | None]:
    """Split fields into value tokens (and labels, for ``label=value`` pairs).

    A field with ``=`` is one pair; any other field may hold several whitespace-separated numbers.
    The first field decides whether the row is pairs or bare numbers; mixing is an error.
    """
    tokens: list[str] = []
    labels: list[str] = []
    pairs: bool | None = None
    for field in fields:
        if not field.strip():
            raise _error(f"empty value at {cell(len(tokens))}; {accepted}")
        is_pair = "=" in field
        if pairs is None:
            pairs = is_pair
        elif is_pair != pairs:
            this, other = ("a label=value pair", "bare numbers")
            if not is_pair:
                this, other = ("a bare number", "label=value pairs")
            raise _error(
                f"{field!r} at {cell(len(tokens))} is {this} but the values before it are {other}; "
                f"give every value a label or none; {accepted}"
            )
        if is_pair:
            label, _, value = field.partition("=")
            if not value.strip():
                raise _error(f"{field!r} at {cell(len(tokens))} has no value after '='; {accepted}")
            labels.append(label)
            tokens.append(value.strip())
        else:
            tokens.extend(field.split())
    return tokens, (labels if pairs else None)


def _parse_values(words: Sequence[str]) -> _Parsed:
    """The CLI's VALUES words -> one row."""
    fields: list[str] = []
    for number, word in enumerate(words, 1):
        pieces = [piece.strip() for piece in word.split(",")]
        # "0.2, 0.3" arrives as the words "0.2," and "0.3": commas at a word's edges are separators,
        # but an empty piece inside ("0.2,,0.3") is most likely a missing value.
        while pieces and not pieces[0]:
            pieces.pop(0)
        while pieces and not pieces[-1]:
            pieces.pop()
        if "" in pieces:
            raise _error(
                f"empty value between two commas in {word!r} (VALUES word {number}); {_VALUES_ACCEPTED}"
            )
        fields.extend(pieces)
    if not fields:
        raise _error(f"no values in VALUES; {_VALUES_ACCEPTED}")
    where = _where_values()
    tokens, labels = _tokens_of(fields, lambda c: where.cell(0, c), _VALUES_ACCEPTED)
    values = _floats([tokens], where, _VALUES_ACCEPTED)
    return _Parsed(values, [tokens], where, labels, "VALUES")


def _split_line(line: str, delimiter: str | None, lineno: int, src: str, accepted: str) -> list[str]:
    """Fields of one stripped text line through the csv module, so that quoted labels work.

    ``delimiter`` None picks one per line: a comma if there is one, else a tab, else spaces.
    """
    if delimiter is None:
        delimiter = "," if "," in line else "\t" if "\t" in line else " "
    try:
        fields = next(csv.reader([line], delimiter=delimiter, skipinitialspace=True, strict=True), [])
    except csv.Error as exc:
        raise _error(f"line {lineno} of {src} cannot be split into values ({exc}); {accepted}") from exc
    return [field.strip() for field in fields]


def _is_number_field(field: str) -> bool:
    parts = field.split()
    return bool(parts) and all(_float(part) is not None for part in parts)


def _parse_text(text: str, src: str, delimiter: str | None, accepted: str) -> _Parsed:
    """Text, CSV or TSV: one distribution per line, an optional header line of labels."""
    records: list[tuple[int, list[str]]] = []  # (line number, fields), blank lines and comments left out
    for lineno, raw in enumerate(_LINE_BREAK.split(text), 1):
        line = raw.strip()
        if line and not line.startswith("#"):
            records.append((lineno, _split_line(line, delimiter, lineno, src, accepted)))
    if not records:
        raise _error(f"no values in {src}: it is empty or holds only blank lines and # comments")

    first_line, first = records[0]
    if any("=" in field for field in first):
        # label=value pairs: the whole input is this one line.
        if len(records) > 1:
            raise _error(
                f"label=value pairs on line {first_line} of {src} describe a single distribution, but {src} "
                f"has {len(records)} lines of values; for several distributions use a header line of labels"
            )
        where = _where_text([first_line], src)
        tokens, labels = _tokens_of(first, lambda c: where.cell(0, c), accepted)
        values = _floats([tokens], where, accepted)
        return _Parsed(values, [tokens], where, labels, f"line {first_line} of {src}")

    header: list[str] | None = None
    header_origin = ""
    if not any(_is_number_field(field) for field in first):
        header, header_origin = first, f"the header (line {first_line} of {src})"
        records = records[1:]
        if not records:
            labels = ", ".join(map(repr, header))
            raise _error(f"no values in {src}: it has only a header line of labels ({labels})")

    lines = [lineno for lineno, _ in records]
    where = _where_text(lines, src)
    rows: list[list[str]] = []
    for r, (lineno, fields) in enumerate(records):
        row: list[str] = []
        for field in fields:
            parts = field.split()  # numbers never contain spaces, so "0.2 0.3,0.5" is three values
            if not parts:
                raise _error(f"empty value at {where.cell(r, len(row))}; {accepted}")
            row.extend(parts)
        if rows and len(row) != len(rows[0]):
            raise _error(
                f"row {r + 1} (line {lineno} of {src}) has {_count(len(row), 'value')} "
                f"but row 1 (line {lines[0]}) has {len(rows[0])}; "
                "every row must have the same number of categories"
            )
        rows.append(row)
    if header is not None and len(header) != len(rows[0]):
        raise _error(
            f"the header (line {first_line} of {src}) has {_count(len(header), 'label')} "
            f"but row 1 (line {lines[0]}) has {_count(len(rows[0]), 'value')}; give one label per column"
        )
    values = _floats(rows, where, accepted)
    return _Parsed(values, rows, where, header, header_origin)


class _JsonNumber(str):
    """A JSON number (or NaN/Infinity constant) kept as its source text, for messages."""


class _JsonObject(list):
    """A JSON object as its list of (key, value) pairs, so that duplicate keys are kept."""


def _describe_json(item: object) -> str:
    """A JSON value that is not where a number or a list belongs, named for a message."""
    if isinstance(item, _JsonNumber):
        return f"the number {item}"
    if isinstance(item, bool):
        return "true" if item else "false"
    if item is None:
        return "null"
    if isinstance(item, _JsonObject):
        return "an object"
    if isinstance(item, list):
        return "a list"
    return f"the string {item!r}"


def _json_token(item: object, path: str, src: str) -> str:
    if isinstance(item, _JsonNumber):
        return str(item)
    raise _error(f"{_describe_json(item)} at JSON path {path} of {src} is not a number; {_JSON_ACCEPTED}")


def _parse_json(text: str, src: str) -> _Parsed:
    """A list of numbers, a list of lists of numbers, or an object label -> number."""
    try:
        doc = json.loads(
            text,
            parse_float=_JsonNumber,
            parse_int=_JsonNumber,
            parse_constant=_JsonNumber,  # NaN, Infinity, -Infinity: validated later like any value
            object_pairs_hook=_JsonObject,
        )
    except json.JSONDecodeError as exc:
        raise _error(
            f"{src} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}; {_JSON_ACCEPTED}"
        ) from exc
    except RecursionError as exc:
        raise _error(f"{src} is JSON nested too deeply; {_JSON_ACCEPTED}") from exc

    if isinstance(doc, _JsonObject):
        if not doc:
            raise _error(f"no values in {src}: the JSON object is empty")
        keys = [key for key, _ in doc]
        paths = ["[" + json.dumps(key, ensure_ascii=False) + "]" for key in keys]
        tokens = [_json_token(item, paths[c], src) for c, (_, item) in enumerate(doc)]
        where = _where_json(src, paths)
        values = _floats([tokens], where, _JSON_ACCEPTED)
        return _Parsed(values, [tokens], where, keys, f"the JSON object in {src}")

    if not isinstance(doc, list) or isinstance(doc, _JsonObject):
        raise _error(f"{src} holds only {_describe_json(doc)}; {_JSON_ACCEPTED}")
    if not doc:
        raise _error(f"no values in {src}: the JSON list is empty")

    def is_row(item: object) -> bool:
        return isinstance(item, list) and not isinstance(item, _JsonObject)

    if not is_row(doc[0]):
        tokens = [_json_token(item, f"[{c}]", src) for c, item in enumerate(doc)]
        where = _where_json(src, [f"[{c}]" for c in range(len(doc))])
        return _Parsed(_floats([tokens], where, _JSON_ACCEPTED), [tokens], where)

    rows: list[list[str]] = []
    for r, row in enumerate(doc):
        if not is_row(row):
            raise _error(
                f"{_describe_json(row)} at JSON path [{r}] of {src} is not a list, but [0] is; "
                f"{_JSON_ACCEPTED}"
            )
        if not row:
            raise _error(f"no values in row {r + 1} (JSON path [{r}]) of {src}: the list is empty")
        if rows and len(row) != len(rows[0]):
            raise _error(
                f"row {r + 1} (JSON path [{r}]) of {src} has {_count(len(row), 'value')} "
                f"but row 1 has {len(rows[0])}; every row must have the same number of categories"
            )
        rows.append([_json_token(item, f"[{r}][{c}]", src) for c, item in enumerate(row)])
    where = _where_json(src, None)
    return _Parsed(_floats(rows, where, _JSON_ACCEPTED), rows, where)


def _parse_npy(data: bytes, src: str) -> _Parsed:
    """A 1-D (one distribution) or 2-D (one per row) real array in NumPy's .npy format."""
    if not data.startswith(_NPY_MAGIC):
        raise _error(f"{src} is not a NumPy .npy file (it does not start with the .npy magic bytes)")
    try:
        arr = np.load(io.BytesIO(data), allow_pickle=False)
    except Exception as exc:  # untrusted bytes: any failure to decode them is bad input
        raise _error(f"cannot load {src} as a NumPy .npy array ({exc})") from exc
    if arr.dtype.kind not in "iuf":
        raise _error(f"{src} holds an array of dtype {arr.dtype}; .npy input must hold integers or floats")
    if arr.ndim not in (1, 2):
        raise _error(
            f"{src} holds a {arr.ndim}-D array of shape {arr.shape}; "
            ".npy input must be 1-D (one distribution) or 2-D (one distribution per row)"
        )
    if arr.size == 0:
        raise _error(f"no values in {src}: the array is empty (shape {arr.shape})")
    one_d = arr.ndim == 1
    values = arr.astype(np.float64).reshape(1, -1) if one_d else arr.astype(np.float64)
    return _Parsed(values, None, _where_array(one_d, src))


def _decode(data: bytes, src: str) -> str:
    try:
        return data.decode("utf-8-sig")  # tolerate the BOM some editors write
    except UnicodeDecodeError as exc:
        raise _error(
            f"{src} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start}); "
            "text input must be UTF-8, or give a .npy file for binary data"
        ) from exc


def _parse_source(data: bytes, src: str, suffix: str) -> _Parsed:
    """Dispatch on the file extension; without a known one, sniff the content."""
    if suffix == ".npy" or (suffix not in (".json", ".csv", ".tsv", ".txt") and data.startswith(_NPY_MAGIC)):
        return _parse_npy(data, src)
    text = _decode(data, src)
    if suffix == ".json":
        return _parse_json(text, src)
    if suffix == ".csv":
        return _parse_text(text, src, ",", _CSV_ACCEPTED)
    if suffix == ".tsv":
        return _parse_text(text, src, "\t", _TSV_ACCEPTED)
    if suffix != ".txt" and text.lstrip()[:1] in ("[", "{"):
        return _parse_json(text, src)
    return _parse_text(text, src, None, _TEXT_ACCEPTED)


def _parse_labels_option(text: str) -> list[str]:
    """``--labels a,b,c`` (CSV quoting allowed: ``--labels '"a,b",c'``)."""
    try:
        fields = next(csv.reader([text], skipinitialspace=True, strict=True), [])
    except csv.Error as exc:
        raise _error(f"--labels {text!r} cannot be split into labels ({exc}); give them as a,b,c") from exc
    if not fields:
        raise _error("--labels is empty; give one label per category, comma-separated, e.g. --labels a,b,c")
    return fields


def read_source_bytes(path: str, stdin: BinaryIO | None) -> bytes:
    """Read all bytes of a file, or of standard input when ``path`` is ``-``.

    Parameters
    ----------
    path : str
        A file path, or ``-`` for standard input.
    stdin : binary stream or None
        Standard input, passed only when it is piped (not a terminal).

    Returns
    -------
    bytes
        The whole content.

    Raises
    ------
    InputError
        When ``path`` is ``-`` and ``stdin`` is None, or the file cannot be read (missing, a
        directory, no permission...): the message names the path and the system's reason.
    """
    if path == "-":
        if stdin is None:
            raise _error("standard input is a terminal; pipe data in or give a file")
        try:
            data = stdin.read()
        except OSError as exc:
            raise _error(f"cannot read standard input: {exc.strerror or exc}") from exc
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        message = f"cannot read {path!r}: {reason}; give a readable file, or - for standard input"
        raise _error(message) from exc
    except ValueError as exc:  # e.g. an embedded NUL byte in the path
        raise _error(f"cannot read {path!r}: {exc}") from exc


def read_target(
    values: Sequence[str],
    *,
    file: str | None = None,
    labels: str | None = None,
    logits: bool = False,
    stdin: BinaryIO | None = None,
) -> Target:
    """Read the distribution(s) given on the command line, in a file, or on standard input.

    Parameters
    ----------
    values : sequence of str
        The CLI's VALUES words: numbers (``0.2 0.8``), comma lists (``0.2,0.8``) or ``label=value``
        pairs (``a=0.2 b=0.8``). They always form one distribution.
    file : str, optional
        ``--file``: a path or ``-`` for standard input. ``.npy``, ``.json``, ``.csv``, ``.tsv`` and
        ``.txt`` are read by their extension; other names and standard input are sniffed (npy magic
        bytes, then a leading ``[`` or ``{`` for JSON, else text).
    labels : str, optional
        ``--labels``: comma-separated labels, one per category.
    logits : bool
        Read the values as logits (``--logits``) instead of non-negative weights (``--probs``).
    stdin : binary stream, optional
        Standard input, passed only when it is piped; read when there are no VALUES and no file.

    Returns
    -------
    Target

    Raises
    ------
    InputError
        On any bad input; the one-line message says what, where and what is accepted.

    Examples
    --------
    >>> read_target(["a=1", "b=3"]).probs
    array([[0.25, 0.75]])
    """
    values = list(values or ())
    if values and file is not None:
        raise _error(f"VALUES and --file {file!r} were both given; give the distribution one way only")
    if values:
        parsed = _parse_values(values)
    elif file is not None or stdin is not None:
        path = "-" if file is None else file
        src = _STDIN_NAME if path == "-" else repr(path)
        suffix = "" if path == "-" else os.path.splitext(path)[1].lower()
        data = read_source_bytes(path, stdin)
        if not data.strip():
            extra = f"; {_HOW_TO_GIVE}" if path == "-" else ""
            raise _error(f"no values in {src}: it is empty{extra}")
        parsed = _parse_source(data, src, suffix)
    else:
        raise _error(_NO_DISTRIBUTION)

    found_labels, origin = parsed.labels, parsed.labels_origin
    if labels is not None:
        if found_labels is not None:
            raise _error(
                f"--labels {labels!r} was given but {origin} already gives labels; give labels one way only"
            )
        found_labels, origin = _parse_labels_option(labels), "--labels"
    return _build(
        parsed.values,
        logits=logits,
        where=parsed.where,
        tokens=parsed.tokens,
        labels=found_labels,
        labels_origin=origin,
    )


# --------------------------------------------------------------------------------------------
# Counts and thread numbers

_MAX_COUNT = 2**63 - 1  # what an int64 index or counter can hold
_SUFFIX_DIGITS = {"k": 3, "m": 6, "g": 9}
_DIGITS = r"[0-9](?:_?[0-9])*"  # ASCII digits, single underscores between them
_COUNT_SHAPE = re.compile(rf"[+-]?(?:{_DIGITS}(?:\.(?:{_DIGITS})?)?|\.{_DIGITS})(?:[eE][+-]?{_DIGITS})?")


def parse_count(text: str, *, option: str = "-n") -> int:
    """Parse a positive count such as ``1000``, ``1e6``, ``10k``, ``2.5M`` or ``1_000_000``.

    Parameters
    ----------
    text : str
        The option's value. Suffixes ``k``, ``M``, ``G`` (any case) multiply by 1e3, 1e6, 1e9.
    option : str
        The option's name, for messages.

    Returns
    -------
    int
        A whole number from 1 to 2**63 - 1.

    Raises
    ------
    InputError
        On anything that is not a positive whole number (``0``, ``-5``, ``1.5``, ``1e-3``, ``nan``).

    Examples
    --------
    >>> parse_count("2.5k")
    2500
    """
    accepted = f"{option} accepts a positive integer such as 1000, 1e6, 10k, 2M or 1_000_000"
    body = str(text).strip()
    shift = 0
    if body and body[-1].lower() in _SUFFIX_DIGITS:
        body, shift = body[:-1], _SUFFIX_DIGITS[body[-1].lower()]
    number: Decimal | None = None
    if _COUNT_SHAPE.fullmatch(body):
        try:
            number = Decimal(body)
            # Apply the suffix by moving the exponent: exact, unlike multiplying under a context precision.
            sign, digits, exponent = number.as_tuple()
            number = Decimal((sign, digits, int(exponent) + shift))
        except InvalidOperation:  # an exponent beyond what Decimal can hold
            number = None
    if number is None:
        raise _error(f"{option} {text!r} is not a count; {accepted}")
    if number <= 0:
        raise _error(f"{option} {text!r} is not positive; {accepted}")
    if number > _MAX_COUNT:
        raise _error(f"{option} {text!r} is too large (at most {_MAX_COUNT}); {accepted}")
    if number != number.to_integral_value():
        raise _error(f"{option} {text!r} is not a whole number; {accepted}")
    return int(number)


def parse_positive_int(text: str, *, option: str) -> int:
    """Parse a plain integer of at least 1 (``--threads``, ``GUMBEL_THREADS``).

    Parameters
    ----------
    text : str
        Decimal digits, optionally with a leading ``+`` and surrounding spaces.
    option : str
        The option or variable name, for messages.

    Returns
    -------
    int

    Raises
    ------
    InputError
        On anything else, including ``0``.

    Examples
    --------
    >>> parse_positive_int("8", option="--threads")
    8
    """
    accepted = f"{option} accepts a whole number of at least 1, such as 4"
    raw = str(text).strip()
    if not re.fullmatch(r"\+?[0-9]+", raw):
        raise _error(f"{option} {text!r} is not a positive integer; {accepted}")
    number = int(raw)
    if number < 1:
        raise _error(f"{option} {text!r} is not positive; {accepted}")
    return number


# --------------------------------------------------------------------------------------------
# Temperature on logits (REFERENCE §4: the temperature of language-model decoding, not relax's τ)

_TEMPERATURE_ACCEPTED = (
    "it accepts a positive finite number such as 0.7 or 2 (T < 1 sharpens the distribution, T > 1 flattens it)"
)


def _temperature_problem(value: float) -> str:
    if math.isnan(value):
        return "is not a number (NaN)"
    if math.isinf(value):
        return "is infinite"
    if value == 0:
        return "is zero (T → 0 tends to the argmax: use a small T such as 1e-3)"
    if value < 0:
        return "is negative"
    return ""


def parse_temperature(text: str, *, option: str = "--temperature") -> float:
    """Parse ``--temperature``: one positive finite number.

    Parameters
    ----------
    text : str
        The option's value (surrounding spaces are ignored: the CLI protects ``-1`` with one).
    option : str
        The option's name, for messages.

    Returns
    -------
    float

    Raises
    ------
    InputError
        On a token that is not a number, or a value that is 0, negative, NaN or infinite (also one
        that overflows, such as ``1e400``).

    Examples
    --------
    >>> parse_temperature(" 0.5")
    0.5
    """
    raw = str(text).strip()
    try:
        value = float(raw)
    except ValueError:
        raise _error(f"{option} {raw!r} is not a number; {_TEMPERATURE_ACCEPTED}") from None
    problem = _temperature_problem(value)
    if problem and math.isinf(value) and "inf" not in raw.lower():
        problem = "overflows to infinity"
    if problem:
        raise _error(f"{option} {raw} {problem}; {_TEMPERATURE_ACCEPTED}")
    return value


def check_temperature(value: object, *, name: str = "temperature") -> float:
    """Validate the ``temperature`` of the Python API (a real number, positive and finite).

    Examples
    --------
    >>> check_temperature(2)
    2.0
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise _error(f"{name}={value!r} is not a number; {_TEMPERATURE_ACCEPTED}")
    try:
        number = float(value)
    except OverflowError:  # an int beyond the largest double
        digits = str(value)
        raise _error(f"{name}={digits[:12]}... ({len(digits)} digits) overflows to infinity; {_TEMPERATURE_ACCEPTED}") from None
    problem = _temperature_problem(number)
    if problem:
        raise _error(f"{name}={number!r} {problem}; {_TEMPERATURE_ACCEPTED}")
    return number


def apply_temperature(target: Target, temperature: float) -> Target:
    """The target with its logits divided by ``temperature``: ``p_T = softmax(log p / T)`` per row.

    This is the temperature of language-model decoding (REFERENCE §4): it changes *which*
    categories win, unlike the τ of ``gumbel relax``. Weights (``--probs``) enter through their
    logarithm. Computed stably as ``(l - max l) / T`` followed by a log-softmax, so a tiny T gives
    no NaN: the most probable categories share the mass, the others' probabilities underflow to 0
    (their log-probabilities stay finite where they can), and ``-inf`` logits (zero weights) stay
    ``-inf``. ``T = 1`` returns ``target`` itself.

    Parameters
    ----------
    target : Target
        A validated target.
    temperature : float
        T > 0, finite (see :func:`parse_temperature` and :func:`check_temperature`).

    Returns
    -------
    Target
        Same labels; read-only ``probs`` and ``log_probs`` of the tempered distributions.

    Examples
    --------
    >>> t = apply_temperature(target_from_probs([1, 3]), 0.5)
    >>> t.probs.round(3)
    array([[0.1, 0.9]])
    """
    if temperature == 1.0:
        return target
    with np.errstate(divide="ignore", over="ignore", under="ignore", invalid="ignore"):
        logits = target.log_probs
        top = logits.max(axis=1, keepdims=True)  # finite: every row has a category of positive probability
        scaled = (logits - top) / temperature  # <= 0, and 0 at the maximum; -inf stays -inf
        terms = np.exp(scaled)
        total = terms.sum(axis=1, keepdims=True)  # >= 1: the maximum contributes exp(0)
        probs = terms / total
        log_probs = scaled - np.log(total)
    probs.setflags(write=False)
    log_probs.setflags(write=False)
    return Target(probs=probs, log_probs=log_probs, labels=target.labels)
