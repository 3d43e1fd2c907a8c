"""The only module that formats: tables for people, plain/CSV/TSV/JSON/JSONL/NPY for programs.

Draws are written chunk by chunk as bytes. Text formats never loop over lines in Python: every
category's token (index or label, quoted as the format needs) sits in a NUL-padded byte table, a
chunk of draws gathers rows of that table with fancy indexing, and the padding is dropped in one
vectorized pass.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from typing import IO, Any

import numpy as np

from .errors import InputError
from .results import GofResult, SampleReport

FORMATS = ("auto", "table", "plain", "csv", "tsv", "json", "jsonl", "npy")

#: Above this many categories the table shows only the most deviant ones (the data formats show all).
TABLE_MAX_CATEGORIES = 30


# --------------------------------------------------------------------------------------------
# tokens


def csv_field(text: str, delimiter: str = ",") -> str:
    """``text`` quoted as the csv module would write it in a field."""
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="").writerow([text])
    return buf.getvalue()


def category_tokens(labels: Sequence[str] | None, k: int, fmt: str) -> list[str]:
    """How each of ``k`` categories is written in ``fmt``: its label where labels exist, else its index."""
    if labels is None:
        return [str(i) for i in range(k)]
    if fmt in ("json", "jsonl"):
        return [json.dumps(label, ensure_ascii=False) for label in labels]
    if fmt == "csv":
        return [csv_field(label) for label in labels]
    return list(labels)


def token_table(tokens: Sequence[str]) -> np.ndarray:
    """A ``(k, width)`` uint8 table of UTF-8 tokens, right-padded with NUL bytes."""
    encoded = [t.encode("utf-8") for t in tokens]
    width = max(len(e) for e in encoded)
    table = np.zeros((len(encoded), width), dtype=np.uint8)
    for i, e in enumerate(encoded):
        table[i, : len(e)] = np.frombuffer(e, dtype=np.uint8)
    return table


def _constant(piece: bytes, m: int) -> np.ndarray:
    return np.broadcast_to(np.frombuffer(piece, dtype=np.uint8), (m, len(piece)))


def format_lines(draws: np.ndarray, table: np.ndarray, sep: bytes, prefix: bytes = b"", suffix: bytes = b"\n") -> bytes:
    """One line per draw: ``prefix + token[row 0] + sep + token[row 1] ... + suffix``.

    ``draws`` has shape ``(m, rows)``. The result is the same as a Python loop of ``join`` calls,
    computed with a gather and one mask over the bytes.
    """
    m, rows = draws.shape
    pieces: list[np.ndarray] = []
    if prefix:
        pieces.append(_constant(prefix, m))
    for r in range(rows):
        if r:
            pieces.append(_constant(sep, m))
        pieces.append(table[draws[:, r]])
    if suffix:
        pieces.append(_constant(suffix, m))
    block = np.concatenate(pieces, axis=1) if len(pieces) > 1 else pieces[0]
    flat = block.reshape(-1)
    if table.all():  # every token has the full width: nothing to drop
        return flat.tobytes()
    return flat[flat != 0].tobytes()


# --------------------------------------------------------------------------------------------
# streaming draws


class DrawWriter:
    """Writes draws chunk by chunk to a binary stream in one of the data formats.

    Parameters
    ----------
    stream : binary file
        Where the bytes go (stdout's buffer or a temporary file).
    fmt : str
        "plain", "csv", "tsv", "json", "jsonl" or "npy".
    labels : sequence of str or None
        Category labels; indices are written when None.
    k, rows, n : int
        Categories, distributions in the batch, draws per distribution.
    report : SampleReport or None, set before :meth:`close`
        For "json" only: when set, the output is ``{"draws": [...], "report": {...}}``.
    """

    def __init__(
        self,
        stream: IO[bytes],
        fmt: str,
        labels: Sequence[str] | None,
        k: int,
        rows: int,
        n: int,
        with_report: bool = False,
    ) -> None:
        self.stream = stream
        self.fmt = fmt
        self.rows = rows
        self.with_report = with_report
        self.first = True
        self.table = token_table(category_tokens(labels, k, fmt))
        if fmt == "npy":
            from numpy.lib import format as npformat

            # A batch is (rows, n) in Fortran order, which is exactly draw-by-draw order on disk,
            # so the array streams without holding it.
            shape = (n,) if rows == 1 else (rows, n)
            header = {"descr": np.dtype("<i8").str, "fortran_order": rows > 1, "shape": shape}
            npformat.write_array_header_2_0(stream, header)
        elif fmt in ("csv", "tsv"):
            delimiter = "," if fmt == "csv" else "\t"
            names = ["draw"] if rows == 1 else [f"row{r + 1}" for r in range(rows)]
            stream.write((delimiter.join(names) + "\n").encode())
        elif fmt == "json":
            stream.write(b'{"draws": [\n' if with_report else b"[\n")

    def write(self, draws: np.ndarray) -> None:
        """Write a chunk of draws, shape ``(m, rows)``."""
        if len(draws) == 0:
            return
        fmt = self.fmt
        if fmt == "npy":
            self.stream.write(np.ascontiguousarray(draws, dtype="<i8").tobytes())
            return
        if fmt == "json":
            prefix, suffix = (b"[", b"]") if self.rows > 1 else (b"", b"")
            data = format_lines(draws, self.table, b", ", prefix, suffix + b",\n")[:-2]
            if not self.first:
                self.stream.write(b",\n")
            self.stream.write(data)
        elif fmt == "jsonl" and self.rows > 1:
            self.stream.write(format_lines(draws, self.table, b", ", b"[", b"]\n"))
        else:
            sep = {"csv": b",", "tsv": b"\t"}.get(fmt, b" ")
            self.stream.write(format_lines(draws, self.table, sep))
        self.first = False

    def close(self, report: SampleReport | None = None) -> None:
        """Finish the output (closing brackets; the report object for JSON with a report)."""
        if self.fmt == "json":
            if self.with_report and report is not None:
                self.stream.write(b"\n], \"report\": " + json.dumps(report.to_dict()).encode() + b"}\n")
            else:
                self.stream.write(b"\n]\n")
        self.stream.flush()


# --------------------------------------------------------------------------------------------
# counts and reports as data


def write_counts(stream: IO[bytes], fmt: str, counts: np.ndarray, labels: Sequence[str], report: SampleReport) -> None:
    """Per-category counts, ``counts`` of shape ``(rows, K)``, in a data format."""
    rows, k = counts.shape
    if fmt == "npy":
        np.save(stream, counts[0] if rows == 1 else counts, allow_pickle=False)
    elif fmt == "json":
        stream.write((json.dumps(report.to_dict()) + "\n").encode())
    elif fmt == "jsonl":
        lines = []
        for i, label in enumerate(labels):
            value: Any = int(counts[0, i]) if rows == 1 else [int(c) for c in counts[:, i]]
            lines.append(json.dumps({"label": label, "count" if rows == 1 else "counts": value}, ensure_ascii=False))
        stream.write(("\n".join(lines) + "\n").encode())
    elif fmt in ("csv", "tsv"):
        delimiter = "," if fmt == "csv" else "\t"
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
        writer.writerow(["label", "count"] if rows == 1 else ["label"] + [f"row{r + 1}" for r in range(rows)])
        for i, label in enumerate(labels):
            writer.writerow([label, *(int(c) for c in counts[:, i])])
        stream.write(buf.getvalue().encode())
    else:  # plain: one line per category, a count per distribution
        text = "\n".join(" ".join(str(int(c)) for c in counts[:, i]) for i in range(k))
        stream.write((text + "\n").encode())
    stream.flush()


def write_report_json(stream: IO[bytes], report: SampleReport) -> None:
    stream.write((json.dumps(report.to_dict()) + "\n").encode())
    stream.flush()


# --------------------------------------------------------------------------------------------
# reports for people (rich is imported only here, and only when a report is drawn)


def _fmt_p(p: float) -> str:
    if p == 0:
        return "0"
    return f"{p:.3g}" if p >= 1e-3 else f"{p:.2e}"


def _fmt_num(x: float) -> str:
    if not math.isfinite(x):
        return str(x)
    return f"{x:.6g}"


def _bar(value: float, scale: float, width: int) -> str:
    """A horizontal bar of ``value / scale`` of ``width`` cells, in eighths of a cell."""
    if scale <= 0 or value <= 0:
        return ""
    eighths = round(min(value / scale, 1.0) * width * 8)
    full, part = divmod(eighths, 8)
    return "█" * full + ("▏▎▍▌▋▊▉"[part - 1] if part else "")


def test_summary(test: GofResult) -> str:
    """One sentence for the verdict, e.g. ``pearson X² = 8.3, df = 9, p = 0.50: consistent at α = 0.01``."""
    verdict = "REJECTED" if test.rejected else "consistent with the target"
    text = (
        f"{test.stat} statistic = {_fmt_num(test.statistic)}, df = {test.df}, "
        f"p = {_fmt_p(test.p_value)} ({test.method}): {verdict} at α = {test.alpha:g}"
    )
    if test.note:
        text += f" — {test.note}"
    return text


def pooled_summary(test: GofResult) -> str:
    if not test.pooled:
        return ""
    shown = ", ".join(test.pooled[:8]) + (f", … ({len(test.pooled) - 8} more)" if len(test.pooled) > 8 else "")
    return f"pooled into one cell (expected counts < 5): {shown}"


def render_test_table(console: Any, test: GofResult, *, bars: bool) -> None:
    """Draw one test's per-category table and verdict on a rich console."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=test.name or None, title_justify="left", show_edge=False, pad_edge=False)
    for column, justify in [
        ("category", "left"),
        ("target p", "right"),
        ("count", "right"),
        ("freq", "right"),
        ("expected", "right"),
        ("residual", "right"),
    ]:
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    if bars:
        table.add_column("observed ▮ vs expected │", no_wrap=True)
    cats = test.categories
    shown = cats if len(cats) <= TABLE_MAX_CATEGORIES else sorted(test.most_deviant(10), key=cats.index)
    scale = max([c.freq for c in shown] + [c.prob for c in shown] + [1e-300])
    width = 16
    for c in shown:
        cells = [c.label, _fmt_num(c.prob), str(c.count), f"{c.freq:.6f}", _fmt_num(c.expected), f"{c.residual:+.2f}"]
        if bars:
            bar = _bar(c.freq, scale, width).ljust(width)
            mark = min(width - 1, round(c.prob / scale * width)) if c.prob > 0 else None
            if mark is not None and mark < len(bar) and bar[mark] == " ":
                bar = bar[:mark] + "│" + bar[mark + 1 :]
            cells.append(bar)
        table.add_row(*cells)
    console.print(table)
    if len(shown) < len(cats):
        console.print(
            f"(showing the {len(shown)} most deviant of {len(cats)} categories; "
            "--format csv --counts lists them all)",
            markup=False,
            highlight=False,
        )
    style = "bold red" if test.rejected else "green"
    console.print(Text(test_summary(test), style=style))
    if test.pooled:
        console.print(pooled_summary(test), markup=False, highlight=False)


def render_sample_report(console: Any, report: SampleReport, *, bars: bool = True) -> None:
    """The human report of ``gumbel sample``: per distribution a table and the test's verdict."""
    for i, test in enumerate(report.tests):
        if i:
            console.print()
        render_test_table(console, test, bars=bars)
    console.print(f"n = {report.n:,} draws per distribution, seed = {report.seed}", markup=False, highlight=False)


# --------------------------------------------------------------------------------------------
# where output goes


@contextlib.contextmanager
def atomic_output(path: str | None) -> Iterator[IO[bytes]]:
    """stdout's bytes, or a temporary file beside ``path`` renamed onto it only when all went well.

    An interrupted or failed run (Ctrl-C, SIGTERM, an error) removes the temporary file and leaves
    any existing ``path`` untouched.
    """
    if path is None:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    target = os.path.abspath(path)
    folder = os.path.dirname(target)
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(target) + ".", suffix=".part")
    except OSError as exc:
        raise InputError(f"cannot write --output {path!r}: {exc.strerror or exc}; give a path in a writable folder") from None
    try:
        with os.fdopen(fd, "wb") as stream:
            yield stream
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
