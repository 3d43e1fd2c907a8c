"""The only module that formats: tables for people, plain/CSV/TSV/JSON/JSONL/NPY for programs.

Draws are written chunk by chunk as bytes. Text formats never loop over lines in Python: every
category's token (index or label, quoted as the format needs) sits in a NUL-padded byte table, a
chunk of draws gathers rows of that table with fancy indexing, and the padding is dropped in one
vectorized pass.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import json
import math
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from typing import IO, Any

import numpy as np

from .errors import InputError
from .results import GofResult, SampleReport, TheoryResult, VerifyResult, deviant_cells

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
    if fmt in ("csv", "tsv"):  # quoted as the csv module writes (and reads) them, like --counts
        return [csv_field(label, "," if fmt == "csv" else "\t") for label in labels]
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


def format_lines(
    draws: np.ndarray, table: np.ndarray, sep: bytes | Sequence[bytes], prefix: bytes = b"", suffix: bytes = b"\n"
) -> bytes:
    """One line per draw: ``prefix + token[row 0] + sep + token[row 1] ... + suffix``.

    ``draws`` has shape ``(m, columns)``; ``sep`` is one separator, or one per gap between columns
    (``columns - 1`` of them). The result is the same as a Python loop of ``join`` calls, computed
    with a gather and one mask over the bytes.
    """
    m, rows = draws.shape
    seps = [sep] * max(rows - 1, 0) if isinstance(sep, bytes) else list(sep)
    pieces: list[np.ndarray] = []
    if prefix:
        pieces.append(_constant(prefix, m))
    for r in range(rows):
        if r:
            pieces.append(_constant(seps[r - 1], m))
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
    with_report : bool
        For "json" only: the output is ``{"draws": [...], "report": {...}}`` (the report is given to :meth:`close`).
    per_draw : int, optional
        Draws without replacement: each draw is ``per_draw`` categories, in order (chunks of shape
        ``(m, rows, per_draw)``). Text puts them on one line (rows after rows for a batch), CSV/TSV
        under the header ``draw_1..draw_k`` (``row1_1..`` for a batch), JSON as a list per draw
        (a list of lists for a batch); npy is ``(n, k)``, or ``(rows, n, k)`` written row by row
        (then :meth:`write` takes ``(m, k)`` blocks of one row, in row-major order).
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
        per_draw: int | None = None,
    ) -> None:
        self.stream = stream
        self.fmt = fmt
        self.rows = rows
        self.per_draw = per_draw
        self.with_report = with_report
        self.first = True
        self.table = token_table(category_tokens(labels, k, fmt))
        if fmt == "npy":
            from numpy.lib import format as npformat

            # A batch is (rows, n) in Fortran order, which is exactly draw-by-draw order on disk,
            # so the array streams without holding it. Draws without replacement are (n, k) or
            # (rows, n, k) in C order; a batch then comes row by row.
            if per_draw is None:
                shape: tuple[int, ...] = (n,) if rows == 1 else (rows, n)
            else:
                shape = (n, per_draw) if rows == 1 else (rows, n, per_draw)
            header = {"descr": np.dtype("<i8").str, "fortran_order": rows > 1 and per_draw is None, "shape": shape}
            npformat.write_array_header_2_0(stream, header)
        elif fmt in ("csv", "tsv"):
            from .topk import topk_header

            delimiter = "," if fmt == "csv" else "\t"
            if per_draw is not None:
                names = topk_header(rows, per_draw)
            else:
                names = ["draw"] if rows == 1 else [f"row{r + 1}" for r in range(rows)]
            stream.write((delimiter.join(names) + "\n").encode())
        elif fmt == "json":
            stream.write(b'{"draws": [\n' if with_report else b"[\n")

    def write(self, draws: np.ndarray) -> None:
        """Write a chunk of draws, shape ``(m, rows)``, or ``(m, rows, k)`` for draws without replacement."""
        if len(draws) == 0:
            return
        fmt = self.fmt
        if fmt == "npy":
            self.stream.write(np.ascontiguousarray(draws, dtype="<i8").tobytes())
            return
        if self.per_draw is not None:
            self._write_tuples(draws.reshape(len(draws), -1))
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

    def _write_tuples(self, flat: np.ndarray) -> None:
        """Draws without replacement, ``(m, rows · k)`` category indices, as text lines."""
        k, rows = self.per_draw or 1, self.rows
        if self.fmt in ("json", "jsonl"):
            gaps = [b"], [" if (c + 1) % k == 0 else b", " for c in range(rows * k - 1)]
            head, tail = (b"[[", b"]]") if rows > 1 else (b"[", b"]")
            if self.fmt == "jsonl":
                self.stream.write(format_lines(flat, self.table, gaps, head, tail + b"\n"))
            else:
                data = format_lines(flat, self.table, gaps, head, tail + b",\n")[:-2]
                self.stream.write(data if self.first else b",\n" + data)
        else:
            self.stream.write(format_lines(flat, self.table, {"csv": b",", "tsv": b"\t"}.get(self.fmt, b" ")))
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


def write_counts(
    stream: IO[bytes], fmt: str, counts: np.ndarray, labels: Sequence[str], report: SampleReport | None
) -> None:
    """Per-category counts, ``counts`` of shape ``(rows, K)``, in a data format.

    ``report`` is needed (and only read) for ``json``, which writes the whole report.

    Draws without replacement give counts of shape ``(rows, K, k)``: how often each category came
    at each position (see :func:`write_position_counts`).
    """
    if counts.ndim == 3:
        write_position_counts(stream, fmt, counts, labels, report)
        return
    rows, k = counts.shape
    if fmt == "npy":
        np.save(stream, counts[0] if rows == 1 else counts, allow_pickle=False)
    elif fmt == "json":
        assert report is not None, "the JSON of counts is the report"
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


def write_position_counts(
    stream: IO[bytes], fmt: str, counts: np.ndarray, labels: Sequence[str], report: SampleReport | None
) -> None:
    """Counts of draws without replacement per category and position, ``counts`` of shape ``(rows, K, k)``.

    One line per category: its count at position 1, 2, ..., k (a batch: those of row 1, then row 2,
    ...); their sum is the number of draws that hold the category. CSV/TSV: ``label,pos_1..pos_k``
    (``label,row1_pos_1,..`` for a batch); JSON lines: ``{"label": .., "counts": [..]}`` (a list per
    row for a batch); npy: ``(K, k)`` or ``(rows, K, k)``; JSON: the report (its tests, the inclusion
    counts) and ``position_counts``, the ``(K, k)`` (or ``(rows, K, k)``) table.
    """
    rows, n_categories, k = counts.shape
    if fmt == "npy":
        np.save(stream, counts[0] if rows == 1 else counts, allow_pickle=False)
    elif fmt == "json":
        assert report is not None, "the JSON of counts is the report"
        data = report.to_dict()
        data["position_counts"] = (counts[0] if rows == 1 else counts).tolist()  # [category][position], per row
        stream.write((json.dumps(data, ensure_ascii=False) + "\n").encode())
    elif fmt == "jsonl":
        lines = []
        for i, label in enumerate(labels):
            value: Any = [int(c) for c in counts[0, i]] if rows == 1 else [[int(c) for c in counts[r, i]] for r in range(rows)]
            lines.append(json.dumps({"label": label, "counts": value}, ensure_ascii=False))
        stream.write(("\n".join(lines) + "\n").encode())
    elif fmt in ("csv", "tsv"):
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        positions = [f"pos_{j + 1}" for j in range(k)]
        writer.writerow(["label"] + (positions if rows == 1 else [f"row{r + 1}_{p}" for r in range(rows) for p in positions]))
        for i, label in enumerate(labels):
            writer.writerow([label, *(int(c) for c in counts[:, i].reshape(-1))])
        stream.write(buf.getvalue().encode())
    else:  # plain: one line per category, its counts at the k positions (row after row)
        text = "\n".join(" ".join(str(int(c)) for c in counts[:, i].reshape(-1)) for i in range(n_categories))
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


#: Bars of observed frequency: 16 cells where there is room, down to this many on a narrow terminal.
BAR_MIN_WIDTH = 8


def _bar_room(console: Any, table: Any, rows: list[list[Any]]) -> tuple[int, str]:
    """How wide the bars of a table can be on ``console``, and their header; (0, "") if none fit.

    The numbers are never cut short: the bars take what the table leaves of the console's width
    (on an 80-column terminal, about 15 cells), and are left out below :data:`BAR_MIN_WIDTH`.
    """
    from rich.measure import Measurement

    for cells in rows:  # a throwaway table, measured at its natural width
        table.add_row(*cells)
    natural = Measurement.get(console, console.options.update_width(1 << 16), table).maximum
    room = console.width - natural - 3  # " │ " before the new column
    if room >= 24:
        return 16, "observed █ vs expected │"
    header = "obs █ exp │"
    if room >= max(BAR_MIN_WIDTH, len(header)):
        return min(16, room), header
    return 0, ""


def report_table(title: str | None, columns: Sequence[str], left: Sequence[str] = ()) -> Any:
    """The house style of every report table: a left title, no outer edge, the ``left`` columns
    left-justified and all others (numbers) right-justified."""
    from rich.table import Table

    table = Table(title=title or None, title_justify="left", show_edge=False, pad_edge=False)
    for column in columns:
        table.add_column(column, justify="left" if column in left else "right")
    return table


def render_test_table(
    console: Any, test: GofResult, *, bars: bool, all_hint: str = "--format csv --counts lists them all"
) -> None:
    """Draw one test's per-category table and verdict on a rich console.

    ``all_hint`` says where to see every category when the table shows only the most deviant.
    """
    from rich.text import Text

    def build(bars_header: str) -> Any:
        table = report_table(
            test.name, ("category", "target p", "count", "freq", "expected", "residual"), left=("category",)
        )
        if bars_header:
            table.add_column(bars_header, no_wrap=True)
        return table

    cats = test.categories
    shown = cats if len(cats) <= TABLE_MAX_CATEGORIES else sorted(test.most_deviant(10), key=cats.index)
    rows = [
        [Text(c.label), _fmt_num(c.prob), str(c.count), f"{c.freq:.6f}", _fmt_num(c.expected), f"{c.residual:+.2f}"]
        for c in shown
    ]
    width, header = _bar_room(console, build(""), rows) if bars else (0, "")
    table = build(header)
    if width:
        scale = max([c.freq for c in shown] + [c.prob for c in shown] + [1e-300])
        for c, cells in zip(shown, rows):
            bar = _bar(c.freq, scale, width).ljust(width)
            mark = min(width - 1, round(c.prob / scale * width)) if c.prob > 0 else None
            if mark is not None and mark < len(bar) and bar[mark] == " ":
                bar = bar[:mark] + "│" + bar[mark + 1 :]
            cells.append(bar)
    for cells in rows:
        table.add_row(*cells)
    console.print(table)
    if len(shown) < len(cats):
        console.print(
            f"(showing the {len(shown)} most deviant of {len(cats)} categories; {all_hint})",
            markup=False,
            highlight=False,
        )
    style = "bold red" if test.rejected else "green"
    console.print(Text(test_summary(test), style=style))
    if test.pooled:
        console.print(pooled_summary(test), markup=False, highlight=False)


def render_sample_report(console: Any, report: SampleReport, *, bars: bool = True) -> None:
    """The human report of ``gumbel sample``: per distribution a table and the test's verdict."""
    if report.k is not None:
        render_topk_report(console, report, bars=bars)
        return
    for i, test in enumerate(report.tests):
        if i:
            console.print()
        render_test_table(console, test, bars=bars)
    console.print(f"n = {report.n:,} draws per distribution, seed = {report.seed}", markup=False, highlight=False)
    if report.temperature is not None:
        console.print(temperature_note(report.temperature), markup=False, highlight=False)


def temperature_note(temperature: float) -> str:
    return f"target p = softmax(log p / T) at T = {temperature:g}: the tempered distribution, which was sampled and tested"


def render_topk_report(console: Any, report: SampleReport, *, bars: bool = True) -> None:
    """The report of draws without replacement: per distribution, position 1 and inclusion, then the tests.

    The table shows per category the target probability, the count at position 1 with its
    frequency, expected count and standardized residual (position 1 follows ``p`` exactly), and
    how many draws hold the category (inclusion: frequencies sum to k, no test — their exact law
    has no closed form). Under it, the chi-square tests of position 1 and position 2 (against its
    exact law).
    """
    from rich.text import Text

    k = report.k or 1
    per_row = 2 if k >= 2 else 1
    rows = len(report.tests) // per_row
    for r in range(rows):
        if r:
            console.print()
        tests = report.tests[r * per_row : (r + 1) * per_row]
        first = tests[0]
        title = f"row {r + 1}: " if rows > 1 else ""
        table = report_table(
            f"{title}{k} distinct categories per draw",
            ("category", "target p", "1st count", "1st freq", "expected", "residual", "in draw", "in-draw freq"),
            left=("category",),
        )
        if bars:
            table.add_column("1st ▮ vs p │", no_wrap=True)
        cats = first.categories
        shown = cats if len(cats) <= TABLE_MAX_CATEGORIES else sorted(first.most_deviant(10), key=cats.index)
        inclusion = report.inclusion[r] if report.inclusion else [0] * len(cats)
        scale = max([c.freq for c in shown] + [c.prob for c in shown] + [1e-300])
        for c in shown:
            i = cats.index(c)
            cells = [
                Text(c.label),
                _fmt_num(c.prob),
                str(c.count),
                f"{c.freq:.6f}",
                _fmt_num(c.expected),
                f"{c.residual:+.2f}",
                str(inclusion[i]),
                f"{inclusion[i] / report.n:.6f}" if report.n else "0",
            ]
            if bars:
                bar = _bar(c.freq, scale, 16).ljust(16)
                mark = min(15, round(c.prob / scale * 16)) if c.prob > 0 else None
                if mark is not None and mark < len(bar) and bar[mark] == " ":
                    bar = bar[:mark] + "│" + bar[mark + 1 :]
                cells.append(bar)
            table.add_row(*cells)
        if bars:
            from rich.measure import Measurement

            natural = Measurement.get(console, console.options.update_width(1 << 16), table).maximum
            if natural > console.width:
                table.columns.pop()
        console.print(table)
        if len(shown) < len(cats):
            console.print(
                f"(showing the {len(shown)} categories of position 1 that deviate most, of {len(cats)}; "
                "--counts --format csv lists every position of every category)",
                markup=False,
                highlight=False,
            )
        for test in tests:
            console.print(Text(f"{test.name}: {test_summary(test)}", style="bold red" if test.rejected else "green"))
            if test.pooled:
                console.print(f"{test.name}: {pooled_summary(test)}", markup=False, highlight=False)
    console.print(
        f"n = {report.n:,} draws of {k} distinct categories per distribution (Gumbel-top-k), seed = {report.seed}. "
        "Position 1 follows p; position 2 is tested against its exact law p_i Σ_{a≠i} p_a / (1 - p_a); "
        f"each test at α / {len(report.tests)} (Bonferroni). 'in draw' counts the draws that hold the category.",
        markup=False,
        highlight=False,
    )
    if report.temperature is not None:
        console.print(temperature_note(report.temperature), markup=False, highlight=False)


# --------------------------------------------------------------------------------------------
# where output goes


@contextlib.contextmanager
def atomic_output(path: str | None) -> Iterator[IO[bytes]]:
    """stdout's bytes, or a temporary file beside ``path`` renamed onto it only when all went well.

    An interrupted or failed run (Ctrl-C, SIGTERM, an error) leaves no temporary file and any
    existing ``path`` untouched. On Linux the temporary file has no name until it is complete
    (``O_TMPFILE``), so even a run killed with SIGKILL leaves nothing behind; elsewhere it is a
    hidden ``.NAME.*.part`` file, removed on any failure the program lives to see.
    """
    if path is None:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    if "\x00" in path:  # possible from the Python API, not from a shell
        raise InputError(f"cannot write --output {path!r}: a path cannot hold a NUL byte; give a file path")
    target = os.path.abspath(path)
    if os.path.isdir(target):
        raise InputError(f"cannot write --output {path!r}: it is a directory; give a file path")
    folder, base = os.path.split(target)
    try:
        fd, tmp = _open_temporary(folder, base)
    except OSError as exc:
        raise InputError(f"cannot write --output {path!r}: {exc.strerror or exc}; give a path in a writable folder") from None
    try:
        # mkstemp makes a private file (0600); give it the mode of the file it replaces, or the one
        # a plain open() would give (0666 minus the umask).
        with contextlib.suppress(OSError):
            os.fchmod(fd, os.stat(target).st_mode & 0o777 if os.path.exists(target) else 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as stream:
            yield stream
            stream.flush()
            if tmp is None:  # complete: give the unnamed file a (temporary) name in the folder
                try:
                    tmp = _link_unnamed(fd, folder, base)
                except OSError as exc:
                    raise InputError(f"cannot write --output {path!r}: {exc.strerror or exc}") from None
        try:
            os.replace(tmp, target)
        except OSError as exc:
            raise InputError(f"cannot write --output {path!r}: {exc.strerror or exc}") from None
    except BaseException:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise


def _open_temporary(folder: str, base: str) -> tuple[int, str | None]:
    """A new file in ``folder`` open for writing: unnamed (``O_TMPFILE``, name None) where the system
    and the filesystem allow it, else a named ``.BASE.*.part`` file from :func:`tempfile.mkstemp`."""
    unnamed = getattr(os, "O_TMPFILE", 0)
    if unnamed and os.path.isdir("/proc/self/fd"):
        try:
            return os.open(folder, unnamed | os.O_RDWR | os.O_CLOEXEC, 0o600), None
        except OSError as exc:
            if exc.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOTSUP):
                raise
    return tempfile.mkstemp(dir=folder, prefix=f".{base}.", suffix=".part")


def _link_unnamed(fd: int, folder: str, base: str) -> str:
    """Give the ``O_TMPFILE`` file open as ``fd`` a fresh hidden name in ``folder``; return it."""
    for _ in range(100):
        name = os.path.join(folder, f".{base}.{os.urandom(4).hex()}.part")
        try:
            os.link(f"/proc/self/fd/{fd}", name, follow_symlinks=True)
            return name
        except FileExistsError:
            continue
        except OSError:  # a /proc without its magic links: copy the content instead
            break
    fd_out, name = tempfile.mkstemp(dir=folder, prefix=f".{base}.", suffix=".part")
    try:
        with os.fdopen(fd_out, "wb") as dest, os.fdopen(os.dup(fd), "rb") as src:
            src.seek(0)
            shutil.copyfileobj(src, dest, 1 << 20)
        os.chmod(name, os.fstat(fd).st_mode & 0o777)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise
    return name


def _umask() -> int:
    """The process's umask (read by setting it and restoring it at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# --------------------------------------------------------------------------------------------
# gumbel verify: the family of tests, the theory checks


def _deviants(test: GofResult, count: int = 2) -> str:
    """The categories that deviate most, e.g. ``3 (+4.1σ), 0 (-3.2σ)``."""
    return ", ".join(f"{label} ({residual:+.1f}σ)" for label, residual in deviant_cells(test, count))


def _pooled_cell(test: GofResult) -> str:
    return f"{len(test.pooled)}→1" if test.pooled else "-"


def monte_carlo_note(tests: Sequence[GofResult], m: int, alpha: float) -> str:
    """A warning when B simulated tables are too few for any test of the family to reject at all."""
    sims = [int(t.extra["simulations"]) for t in tests if t.extra.get("simulations")]
    if not sims or m / (min(sims) + 1) < alpha:
        return ""
    b, need = min(sims), m / alpha + 1e-9
    advice = f"use --monte-carlo {math.floor(need)} or more" if need < 2**63 else "use a larger --alpha"
    return (
        f"with --monte-carlo {b} the smallest p-value is 1/{b + 1}, so Holm over {m} tests cannot reject at "
        f"α = {alpha:g}: {advice}"
    )


def verify_notes(result: VerifyResult) -> list[str]:
    """Sentences under the table: what was pooled, certain rejections, how p-values were computed."""
    notes = list(result.notes)
    for test in result.tests:
        name = test.name or "samples"
        if test.pooled:
            notes.append(
                f"{name}: {len(test.pooled)} cells with expected count < 5 pooled into one cell "
                "(rule: every tested cell has an expected count of at least 5)"
            )
        if test.note:
            notes.append(f"{name}: {test.note}")
    methods = sorted({t.method for t in result.tests if t.method.startswith("monte-carlo")})
    if methods:
        notes.append(f"p-values simulated: {', '.join(methods)}; p = (1 + #{{sim ≥ obs}}) / (B + 1), on unpooled cells")
        warning = monte_carlo_note(result.tests, len(result.tests), result.alpha)
        if warning:
            notes.append(warning)
    if result.noise == "gaussian":
        notes.append(
            "engine noise: Gaussian (the counter-example of REFERENCE §6.6); uniform targets pass by "
            "symmetry, skewed ones must reject"
        )
    return notes


def verify_verdict(result: VerifyResult) -> str:
    """The overall verdict in one line, with the family-wise correction and the seed."""
    m = len(result.tests)
    seed = f"; seed {result.seed}" if result.seed is not None else ""
    level = f"family-wise α = {result.alpha:g}, Holm over {m} test{'s' if m != 1 else ''}"
    if not result.rejected:
        tests = f"all {m} tests consistent with their targets" if m > 1 else "1 test consistent with the target"
        return f"PASS: {tests} ({level}){seed}"
    names = [result.tests[i].name or "samples" for i in range(m) if result.test_rejected(i)]
    return f"REJECTED: {result.n_rejected} of {m} rejected ({level}): {', '.join(names)}{seed}"


def render_verify(console: Any, result: VerifyResult, *, bars: bool = True) -> None:
    """The human report of ``gumbel verify`` on a rich console.

    A target of the user's (drawn here or read from samples) gets its per-category table(s), with
    expected counts and standardized residuals; the suite gets one row per distribution.
    """
    from rich.text import Text

    if result.mode != "suite":
        for i, test in enumerate(result.tests):
            if i:
                console.print()
            render_test_table(console, test, bars=bars)
    if result.mode == "suite" or len(result.tests) > 1:
        stat = result.tests[0].stat if result.tests else ""
        table = report_table(
            f"{stat} goodness-of-fit tests ({result.tests[0].method if result.tests else ''})",
            ("distribution", "K", "n", "statistic", "df", "p-value", "Holm p", "pooled", "verdict"),
            left=("distribution", "verdict"),
        )
        for i, test in enumerate(result.tests):
            rejected = result.test_rejected(i)
            table.add_row(
                Text(test.name),
                str(result.sizes[i] if result.sizes else len(test.categories)),
                f"{test.n:,}",
                _fmt_num(test.statistic),
                str(test.df),
                _fmt_p(test.p_value),
                _fmt_p(result.p_holm[i]),
                _pooled_cell(test),
                Text("REJECT", style="bold red") if rejected else Text("pass", style="green"),
            )
        console.print(table)
    if result.mode == "suite" or len(result.tests) > 1:
        for i, test in enumerate(result.tests):
            if result.test_rejected(i) and deviant_cells(test):
                console.print(f"{test.name}: most deviant {_deviants(test, 3)}", markup=False, highlight=False)
        for note in verify_notes(result):
            console.print(note, markup=False, highlight=False)
    else:
        for note in result.notes:
            console.print(note, markup=False, highlight=False)
        if result.noise == "gaussian":
            console.print(verify_notes(result)[-1], markup=False, highlight=False)
    console.print(Text(verify_verdict(result), style="bold red" if result.rejected else "bold green"))


def theory_notes(result: TheoryResult) -> list[str]:
    """Sentences under the theory table."""
    notes = ["KS = Kolmogorov-Smirnov; a counter-example (#6) passes when it is rejected"]
    gofs = [c.gof for c in result.checks if c.gof is not None]
    warning = monte_carlo_note(gofs, len(result.checks), result.alpha)
    if warning:
        notes.append(warning)
    return notes


def theory_verdict(result: TheoryResult) -> str:
    m = len(result.checks)
    failed = [i for i in range(m) if not result.check_ok(i)]
    level = f"family-wise α = {result.alpha:g}, Holm over {m} checks; seed {result.seed}"
    if not failed:
        return f"PASS: every property holds and the counter-example is rejected ({level})"
    names = ", ".join(f"{result.checks[i].prop} ({result.checks[i].distribution})" for i in failed)
    return f"FAILED: {len(failed)} of {m} checks did not come out as the theory says: {names} ({level})"


def _outcome(result: TheoryResult, i: int) -> str:
    """``holds ✓`` / ``rejected ✓`` (a counter-example) / ``REJECTED ✗`` / ``not rejected ✗``."""
    rejected, ok = result.check_rejected(i), result.check_ok(i)
    if ok:
        return "rejected ✓" if rejected else "holds ✓"
    return "REJECTED ✗" if rejected else "not rejected ✗"


_SHORT_TESTS = {"Kolmogorov-Smirnov": "KS"}


def render_theory(console: Any, result: TheoryResult) -> None:
    """The human report of ``gumbel verify --theory``: one row per check, then the verdict."""
    from rich.text import Text

    table = report_table(
        f"The Gumbel-max trick, checked empirically (REFERENCE §6; noise: {result.noise})",
        ("#", "claim", "distribution", "test", "n", "statistic", "p-value", "Holm p", "result"),
        left=("#", "claim", "distribution", "test", "result"),
    )
    for i, check in enumerate(result.checks):
        table.add_row(
            Text(check.prop),
            Text(check.claim),
            Text(check.distribution),
            Text(_SHORT_TESTS.get(check.test, check.test)),
            f"{check.n:,}",
            f"{check.statistic:.4g}",
            _fmt_p(check.p_value),
            _fmt_p(result.p_holm[i]),
            Text(_outcome(result, i), style="green" if result.check_ok(i) else "bold red"),
        )
    console.print(table)
    for note in theory_notes(result):
        console.print(note, markup=False, highlight=False)
    for i, check in enumerate(result.checks):
        if check.gof is not None and not result.check_ok(i) and deviant_cells(check.gof):
            console.print(
                f"{check.prop} ({check.distribution}): most deviant categories {_deviants(check.gof, 3)}",
                markup=False,
                highlight=False,
            )
    console.print(Text(theory_verdict(result), style="bold green" if result.ok else "bold red"))


_VERIFY_COLUMNS = [
    "test",
    "k",
    "n",
    "stat",
    "statistic",
    "df",
    "p_value",
    "p_holm",
    "pooled_cells",
    "method",
    "verdict",
    "most_deviant",
    "note",
]
_THEORY_COLUMNS = [
    "property",
    "claim",
    "distribution",
    "test",
    "n",
    "statistic",
    "df",
    "p_value",
    "p_holm",
    "expected",
    "outcome",
    "ok",
    "note",
]


def _verify_rows(result: VerifyResult | TheoryResult) -> tuple[list[str], list[list[Any]]]:
    if isinstance(result, TheoryResult):
        rows = []
        for i, c in enumerate(result.checks):
            d = result.check_dict(i)
            rows.append(
                [
                    d["property"],
                    c.claim,
                    c.distribution,
                    c.test,
                    c.n,
                    repr(c.statistic),
                    "" if c.df is None else c.df,
                    repr(c.p_value),
                    repr(result.p_holm[i]),
                    d["expected"],
                    "reject" if d["rejected"] else "consistent",
                    "ok" if d["ok"] else "FAIL",
                    c.note,
                ]
            )
        return _THEORY_COLUMNS, rows
    rows = []
    for i, t in enumerate(result.tests):
        rows.append(
            [
                t.name,
                result.sizes[i] if result.sizes else len(t.categories),
                t.n,
                t.stat,
                repr(t.statistic),
                t.df,
                repr(t.p_value),
                repr(result.p_holm[i]),
                len(t.pooled),
                t.method,
                "reject" if result.test_rejected(i) else "pass",
                _deviants(t, 3),
                t.note,
            ]
        )
    return _VERIFY_COLUMNS, rows


def write_verify(stream: IO[bytes], fmt: str, result: VerifyResult | TheoryResult) -> None:
    """``gumbel verify``'s result in a data format: plain, csv, tsv, json or jsonl.

    ``json`` is one object with the overall verdict and one object per test (every figure of the
    table, the categories with their residuals); ``jsonl`` is one line per test, then a summary
    line (``"type": "summary"``). ``plain`` is the table tab-separated with a header, then ``#``
    lines: pooling, notes and the overall verdict.
    """
    if fmt == "json":
        stream.write((json.dumps(result.to_dict(), ensure_ascii=False) + "\n").encode())
    elif fmt == "jsonl":
        if isinstance(result, TheoryResult):
            items = [result.check_dict(i) for i in range(len(result.checks))]
        else:
            items = [result.test_dict(i) for i in range(len(result.tests))]
        lines = [json.dumps({"type": "test", **item}, ensure_ascii=False) for item in items]
        lines.append(json.dumps({"type": "summary", **result.summary_dict()}, ensure_ascii=False))
        stream.write(("\n".join(lines) + "\n").encode())
    else:
        header, rows = _verify_rows(result)
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        if fmt == "plain":
            if isinstance(result, TheoryResult):
                for note in theory_notes(result)[1:]:
                    buf.write(f"# {note}\n")
                buf.write(f"# {theory_verdict(result)}\n")
            else:
                for note in verify_notes(result):
                    buf.write(f"# {note}\n")
                buf.write(f"# {verify_verdict(result)}\n")
        stream.write(buf.getvalue().encode())
    stream.flush()


# --------------------------------------------------------------------------------------------
# gumbel relax: relaxed samples as data, and their report


#: Numbers formatted in one go by the text formats of ``gumbel relax``.
TEXT_BLOCK_VALUES = 1 << 16


def float_lines(values: np.ndarray, sep: str, minus_inf: str = "-inf") -> list[str]:
    """Each row of a 2-D float array as its numbers in shortest round-trip form, joined by ``sep``.

    ``repr`` of a float is exact (it reads back to the same double) and short (``0.1``, not
    ``0.10000000000000001``). The whole block goes through ``json.dumps`` in C, not a Python loop
    per number; ``-inf`` (``log y`` of a category of probability 0) is written as ``minus_inf``.
    """
    text = json.dumps(values.tolist())[2:-2].replace(", ", sep).replace("-Infinity", minus_inf)
    return text.split("]" + sep + "[")


class RelaxWriter:
    """Writes relaxed samples, chunk by chunk as :class:`~gumbelcli.engine.RelaxChunk`, in a data format.

    Layouts (T temperatures, K categories, a batch of ``rows`` distributions, ``n`` samples each):

    - ``npy``: float64 of shape ``(n, K)``; ``(n, T, K)`` with several τ; ``(rows, n, K)`` or
      ``(rows, n, T, K)`` for a batch. With ``log_prob`` a structured array of that shape without
      the last axis, fields ``y`` (``log_y`` with ``log``) of K float64 and ``log_prob``.
    - ``plain``/``csv``/``tsv``: one sample per line, ``[row] [tau] y_1 ... y_K [log_prob]``; the
      1-based ``row`` column only for a batch, ``tau`` only for several τ (the lines of one draw at
      the different τ follow each other). CSV/TSV start with a header of those names and the labels.
    - ``jsonl``: one object per sample, ``{"row": r, "tau": τ, "y": [...], "log_prob": x}`` (``row``
      for a batch only, ``log_y`` instead of ``y`` with ``log``); ``json``: a list of those objects,
      or ``{"samples": [...], "report": {...}}`` with a report.

    ``-inf`` (``log y`` of a category of probability 0) is ``-inf`` in text and ``"-inf"`` in JSON.
    """

    def __init__(
        self,
        stream: IO[bytes],
        fmt: str,
        labels: Sequence[str],
        rows: int,
        n: int,
        taus: Sequence[float],
        *,
        log: bool = False,
        log_prob: bool = False,
        with_report: bool = False,
    ) -> None:
        self.stream, self.fmt, self.rows, self.log_prob, self.with_report = stream, fmt, rows, log_prob, with_report
        self.k = len(labels)
        self.first = True
        several = len(taus) > 1
        self.sep = {"csv": ",", "tsv": "\t"}.get(fmt, " ")
        tau_tokens = [repr(float(t)) for t in taus]
        if fmt == "npy":
            from numpy.lib import format as npformat

            shape = ((rows,) if rows > 1 else ()) + (n,) + ((len(taus),) if several else ())
            if log_prob:
                dtype = np.dtype([("log_y" if log else "y", "<f8", (self.k,)), ("log_prob", "<f8")])
            else:
                dtype, shape = np.dtype("<f8"), shape + (self.k,)
            header = {"descr": npformat.dtype_to_descr(dtype), "fortran_order": False, "shape": shape}
            npformat.write_array_header_2_0(stream, header)
        elif fmt in ("json", "jsonl"):
            key = "log_y" if log else "y"
            self.heads = [f'"tau": {t}, "{key}": [' for t in tau_tokens]
            if fmt == "json":
                stream.write(b'{"samples": [\n' if with_report else b"[\n")
        else:
            self.prefixes = [f"{t}{self.sep}" for t in tau_tokens] if several else [""]
            if fmt in ("csv", "tsv"):
                names = (["row"] if rows > 1 else []) + (["tau"] if several else []) + list(labels)
                buf = io.StringIO()
                csv.writer(buf, delimiter=self.sep, lineterminator="\n").writerow(names + (["log_prob"] if log_prob else []))
                stream.write(buf.getvalue().encode())

    def write(self, chunk: Any) -> None:
        """Write one chunk: ``chunk.row`` and ``chunk.values`` of shape ``(m, T, K[+1])``."""
        values = chunk.values
        if self.fmt == "npy":
            self.stream.write(np.ascontiguousarray(values, dtype="<f8").data)
            return
        m, n_taus, width = values.shape
        # A few thousand lines at a time: a reader that stops early (| head) stops the program at once.
        step = n_taus * max(1, TEXT_BLOCK_VALUES // (n_taus * width))
        flat = values.reshape(m * n_taus, width)
        for start in range(0, m * n_taus, step):
            self._write_text(chunk.row, flat[start : start + step], n_taus)

    def _write_text(self, row: int, flat: np.ndarray, n_taus: int) -> None:
        """Lines of samples (``n_taus`` consecutive lines per draw) in a text format."""
        if self.fmt in ("json", "jsonl"):
            prefix = f'{{"row": {row + 1}, ' if self.rows > 1 else "{"
            heads = [prefix + h for h in self.heads]
            ys = float_lines(flat[:, : self.k], ", ", '"-inf"')
            if self.log_prob:
                tails = [f'], "log_prob": {x}}}' for x in float_lines(flat[:, self.k :], "", '"-inf"')]
                objects = [heads[i % n_taus] + y + tails[i] for i, y in enumerate(ys)]
            else:
                objects = [heads[i % n_taus] + y + "]}" for i, y in enumerate(ys)]
            if self.fmt == "jsonl":
                text = "\n".join(objects) + "\n"
            else:
                text = ("" if self.first else ",\n") + ",\n".join(objects)
        else:
            column = f"{row + 1}{self.sep}" if self.rows > 1 else ""
            prefixes = [column + p for p in self.prefixes]
            lines = float_lines(flat, self.sep)
            if len(prefixes) == 1 and not prefixes[0]:
                text = "\n".join(lines) + "\n"
            else:
                text = "".join(f"{prefixes[i % n_taus]}{line}\n" for i, line in enumerate(lines))
        self.stream.write(text.encode())
        self.first = False

    def close(self, report: Any = None) -> None:
        """Finish the output (closing brackets; the report object for JSON with a report)."""
        if self.fmt == "json":
            if self.with_report and report is not None:
                self.stream.write(b'\n], "report": ' + json.dumps(report.to_dict(), ensure_ascii=False).encode() + b"}\n")
            else:
                self.stream.write(b"\n]\n")
        self.stream.flush()


def render_relax_report(console: Any, result: Any, *, bars: bool = True) -> None:
    """The human report of ``gumbel relax`` (a :class:`~gumbelcli.results.RelaxResult`).

    Per distribution: one line per τ with the mean largest coordinate, the mean entropy and the mean
    distance to the nearest vertex of the simplex, and the argmax test; then the argmax frequencies
    against the target, which are those of every τ (the same noise serves them all).
    """
    from rich.text import Text

    for i, row in enumerate(result.rows):
        if i:
            console.print()
        table = report_table(
            row.name, ("τ", "mean max y", "mean entropy", "mean dist to vertex", "argmax test"), left=("argmax test",)
        )
        for s in row.taus:
            test = s.argmax
            style = "bold red" if test.rejected else "green"
            verdict = Text(f"p = {_fmt_p(test.p_value)}: {'REJECTED' if test.rejected else 'consistent'}", style=style)
            table.add_row(_fmt_num(s.tau), f"{s.mean_max:.6f}", f"{s.mean_entropy:.6f}", f"{s.mean_vertex_distance:.6f}", verdict)
        console.print(table)
        if bars:
            render_relax_bars(console, row)
        console.print()
        # the argmax counts are the draws of `gumbel sample` with the same seed and -n
        hint = "gumbel sample --counts --format csv with the same --seed and -n lists them all"
        render_test_table(console, row.taus[0].argmax, bars=bars, all_hint=hint)
    for note in relax_notes(result):
        console.print(note, markup=False, highlight=False)


def render_relax_bars(console: Any, row: Any) -> None:
    """Bars of the mean largest coordinate per τ, from 1/K (the centre of the simplex) to 1 (a vertex).

    K counts the categories of positive probability (the others stay at y = 0). The bars take at
    most 40 cells and what the console leaves beside the numbers; on a console too narrow for
    :data:`BAR_MIN_WIDTH` cells, or with fewer than two live categories, nothing is drawn.
    """
    live = sum(1 for c in row.taus[0].argmax.categories if c.prob > 0)
    if live < 2:
        return
    floor = 1.0 / live
    taus = [_fmt_num(s.tau) for s in row.taus]
    pad = max(len(t) for t in taus)
    width = min(40, console.width - (len("τ = ") + pad + 2 + 2 + len("0.000000")))
    if width < BAR_MIN_WIDTH:
        return
    console.print(
        f"mean max y: bars from 1/K = {floor:.3g} (centre of the simplex) to 1 (a vertex)", markup=False, highlight=False
    )
    for tau, s in zip(taus, row.taus):
        bar = _bar(s.mean_max - floor, 1.0 - floor, width).ljust(width)
        console.print(f"τ = {tau.rjust(pad)}  {bar}  {s.mean_max:.6f}", markup=False, highlight=False)


def relax_notes(result: Any) -> list[str]:
    """The plain-words lines under the relax report: what was sampled, and how to read it."""
    notes = [
        (
            f"n = {result.n:,} samples per distribution, seed = {result.seed}. Entropy in nats; distance = "
            "Euclidean distance from y to the vertex e_argmax(y)."
        )
    ]
    if not result.noise:
        verdict = ", so the test rejects: this is not a sampler" if result.rejected else ""
        notes.append(f"--no-noise: every sample is the same point, softmax(log p / τ), and its argmax never moves{verdict}.")
    elif result.hard:
        notes.append("--hard: one-hot vectors of the argmax, the draws of `gumbel sample` with the same seed.")
    elif len(result.rows[0].taus) > 1:
        notes.append("The same noise serves every τ: one draw relaxes and hardens, and its argmax is the same at every τ.")
    return notes
