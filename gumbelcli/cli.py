"""The Typer app: options -> inputs -> core -> render, and the only place that exits.

Nothing slow is imported at module level: every TAB press runs this module, so SciPy (and most of
rich) are imported inside the commands that need them.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sys
from collections.abc import Iterator, Sequence
from enum import Enum
from typing import IO, Annotated, Any

import typer
from typer.core import TyperGroup

from . import __version__
from .errors import ExitCode, GumbelError, InputError

EXIT_CODES_HELP = (
    "Exit codes:\n"
    "0    success (verify: consistent with the target)\n"
    "1    a statistical test rejected (verify, sample --check)\n"
    "2    bad usage or input: one line 'gumbel: error: ...' on stderr\n"
    "130  interrupted (Ctrl-C)\n"
    "141  the reader of the output went away (a closed pipe)\n"
    "143  terminated (SIGTERM)"
)

# "-1", "-0.5", "-1e3", "-inf", "-1,-2": negative numbers are values, not options.
_NEGATIVE_NUMBER = re.compile(r"^-(\d|\.\d|inf(inity)?\b|nan\b)", re.IGNORECASE)


def protect_negative_numbers(args: Sequence[str]) -> list[str]:
    """Prefix negative numbers with a space so the option parser takes them as values.

    ``gumbel sample --logits 0 -1 -2`` must work; a leading space is harmless to every number
    parser (``float(" -1")`` is ``-1.0``) and to the input module, which strips tokens.
    """
    out: list[str] = []
    for i, arg in enumerate(args):
        if arg == "--":
            return out + list(args[i:])
        out.append(" " + arg if _NEGATIVE_NUMBER.match(arg) else arg)
    return out


def error_line(message: str) -> None:
    """Print ``gumbel: error: <message>`` on stderr: one line, no markup."""
    text = " ".join(str(message).split())
    print(f"gumbel: error: {text}", file=sys.stderr, flush=True)


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the interpreter's final flush is quiet."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _terminate(signum: int, frame: Any) -> None:
    # Turn SIGTERM into an exception so `finally` blocks run (an --output temp file is removed).
    raise SystemExit(128 + signum)


class GumbelGroup(TyperGroup):
    """The command group, with errors printed our way: one line, the right exit code, no traceback."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        args = protect_negative_numbers(sys.argv[1:] if args is None else args)
        code: int
        try:
            if standalone_mode and threading_is_main():
                signal.signal(signal.SIGTERM, _terminate)
            rv = super().main(
                args=args, prog_name=prog_name or "gumbel", complete_var=complete_var, standalone_mode=False, **extra
            )
            code = rv if isinstance(rv, int) else ExitCode.OK
        except GumbelError as exc:
            error_line(str(exc))
            code = exc.exit_code
        except typer.TyperException as exc:  # Click's usage errors, vendored by Typer
            ctx = getattr(exc, "ctx", None)
            hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            # Typer >= 0.27 validates choices through pydantic, which prefixes "Value error, ".
            message = exc.format_message().replace("Value error, ", "")
            if type(exc).__name__ == "NoArgsIsHelpError":
                print(message)
                code = ExitCode.OK
            else:
                # Click ends some messages with a period; the hint follows, so drop it.
                error_line(message[:1].lower() + message[1:].rstrip(".") + hint)
                code = ExitCode.BAD_INPUT
        except typer.Abort:
            code = ExitCode.INTERRUPTED
        except KeyboardInterrupt:
            code = ExitCode.INTERRUPTED
        if standalone_mode:
            sys.exit(int(code))
        return int(code)

    def invoke(self, ctx: Any) -> Any:
        # Typer's own handler would turn a closed pipe into exit 1; catch it first.
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            _silence_stdout()
            raise typer.Exit(ExitCode.BROKEN_PIPE) from None


def threading_is_main() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


app = typer.Typer(
    cls=GumbelGroup,
    name="gumbel",
    help=(
        "Sample categorical distributions with the Gumbel-max trick, relax them with Gumbel-Softmax, "
        "and test samples with goodness-of-fit tests.\n\n" + EXIT_CODES_HELP
    ),
    no_args_is_help=True,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Format(str, Enum):
    auto = "auto"
    table = "table"
    plain = "plain"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    jsonl = "jsonl"
    npy = "npy"


def _version(value: bool) -> None:
    if value:
        print(f"gumbel {__version__}")
        raise typer.Exit(0)


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", "-V", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Sample categorical distributions with the Gumbel-max trick."""


# --------------------------------------------------------------------------------------------
# shared option types

ValuesArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="Probabilities/weights (0.2 0.8 or 0.2,0.8), logits with --logits, or label=value pairs.",
        show_default=False,
    ),
]
LogitsOpt = Annotated[
    bool, typer.Option("--logits/--probs", help="Read VALUES as logits (stable softmax) instead of weights.")
]
FileOpt = Annotated[
    str | None,
    typer.Option(
        "--file", "-f", help="Read the distribution(s) from PATH (text, CSV, TSV, JSON, .npy) or - for stdin.",
        show_default=False,
    ),
]
LabelsOpt = Annotated[
    str | None, typer.Option("--labels", "-l", help="Category labels, comma-separated: a,b,c.", show_default=False)
]
SeedOpt = Annotated[
    int | None,
    typer.Option("--seed", "-s", help="Seed (non-negative integer); the same seed gives the same output.", show_default=False),
]
ThreadsOpt = Annotated[
    str | None,
    typer.Option(
        "--threads", "-t", help="Worker threads \\[default: GUMBEL_THREADS or the number of cores].", show_default=False
    ),
]
AlphaOpt = Annotated[float, typer.Option("--alpha", "-a", help="Significance level of the test's verdict.")]
FormatOpt = Annotated[
    Format,
    typer.Option("--format", "-F", help="Output format; auto = table on a terminal, plain when piped.", case_sensitive=False),
]
OutputOpt = Annotated[
    str | None,
    typer.Option("--output", "-o", help="Write to PATH (atomically: all or nothing) instead of stdout.", show_default=False),
]
PerDrawOpt = Annotated[
    str | None,
    typer.Option(
        "-k",
        "--per-draw",
        metavar="K",
        help="Draw K distinct categories per draw, in order (Gumbel-top-k: a Plackett–Luce sample); needs "
        "--without-replacement and at most as many categories as have positive probability.",
        show_default=False,
    ),
]
WithoutReplacementOpt = Annotated[
    bool,
    typer.Option("--without-replacement", help="With -k K: each draw holds K different categories (sampling without replacement)."),
]
TemperatureOpt = Annotated[
    str | None,
    typer.Option(
        "--temperature",
        metavar="T",
        help="Divide the logits by T > 0 before sampling: p ∝ exp(log p / T) (language-model decoding; T < 1 "
        "sharpens, T > 1 flattens; not relax's τ). Reports and tests use the tempered p. \\[default: 1]",
        show_default=False,
    ),
]


# --------------------------------------------------------------------------------------------
# glue shared by the commands


def stdin_if_piped() -> IO[bytes] | None:
    """Standard input as bytes when it is not a terminal, else None."""
    stream = sys.stdin
    if stream is None or stream.closed:
        return None
    try:
        if stream.isatty():
            return None
    except (ValueError, OSError):
        return None
    return getattr(stream, "buffer", None)


def resolve_threads(text: str | None) -> int:
    from .engine import default_threads
    from .inputs import parse_positive_int

    if text is not None:
        return parse_positive_int(text.strip(), option="--threads")  # strip: see protect_negative_numbers
    env = os.environ.get("GUMBEL_THREADS")
    if env:
        return parse_positive_int(env, option="GUMBEL_THREADS")
    return default_threads()


def check_alpha(alpha: float) -> float:
    if not 0.0 < alpha < 1.0:
        raise InputError(f"--alpha {alpha!r} is outside (0, 1); it is a significance level such as 0.01 or 0.05")
    return alpha


def check_seed(seed: int | None) -> int | None:
    if seed is not None and seed < 0:
        raise InputError(f"--seed {seed} is negative; it accepts a non-negative integer such as 42")
    return seed


def is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def console(stderr: bool = False, file: IO[str] | None = None) -> Any:
    from rich.console import Console

    if file is not None:
        return Console(file=file, highlight=False, width=100, no_color=True)
    # NO_COLOR (no-color.org): plain text, without colours and without bold either
    plain = os.environ.get("NO_COLOR", "") != ""
    return Console(stderr=stderr, highlight=False, color_system=None if plain else "auto")


@contextlib.contextmanager
def progress_bar(total: int, description: str, enabled: bool) -> Iterator[Any]:
    """A rich progress bar on stderr when stderr is a terminal; yields ``advance(k)`` (or None)."""
    if not enabled or not is_terminal(sys.stderr) or os.environ.get("CI"):
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda k: bar.advance(task, k)


# Work below this many variates finishes before a progress bar would be worth drawing.
PROGRESS_MIN_VARIATES = 20_000_000


# --------------------------------------------------------------------------------------------
# gumbel sample


@app.command(epilog=EXIT_CODES_HELP)
def sample(
    values: ValuesArg = None,
    n: Annotated[str, typer.Option("-n", "--draws", help="Draws per distribution: 1000, 1e6, 10k, 2M.")] = "10000",
    logits: LogitsOpt = False,
    file: FileOpt = None,
    labels: LabelsOpt = None,
    seed: SeedOpt = None,
    threads: ThreadsOpt = None,
    counts: Annotated[
        bool,
        typer.Option(
            "--counts", "-c",
            help="Print one count per category instead of the draws (bounded memory); with -k, one per category and position.",
        ),
    ] = False,
    report: Annotated[
        bool | None,
        typer.Option("--report/--no-report", help="Print the frequency report (to stderr when data goes to stdout).", show_default=False),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 when the chi-square test rejects (with -k: that of position 1 or 2).")
    ] = False,
    alpha: AlphaOpt = 0.01,
    fmt: FormatOpt = Format.auto,
    output: OutputOpt = None,
    per_draw: PerDrawOpt = None,
    without_replacement: WithoutReplacementOpt = False,
    temperature: TemperatureOpt = None,
) -> int:
    """Draw from categorical distributions with the Gumbel-max trick.

    With -k K --without-replacement each draw is K distinct categories in order (a line of K labels
    or indices; csv columns draw_1..draw_K; npy n×K), first one the draw plain sampling makes with the
    same --seed; --counts then gives each category's count at each position.

    Examples: gumbel sample 0.2 0.3 0.5 -n 1e6 ;  gumbel sample red=1 green=3 -n 5 --seed 7 ;
    gumbel sample --logits 0 -1 -2 -n 1e6 --counts ;  gumbel sample -f probs.csv -n 1e3 --format npy -o draws.npy ;
    gumbel sample a=1 b=2 c=3 d=4 -k 2 --without-replacement -n 5 ;  gumbel sample --logits 2 1 0 --temperature 0.5 -n 1e6
    """
    from .engine import GumbelMaxSampler, TopKSampler
    from .inputs import apply_temperature, parse_count, parse_temperature, read_target
    from .render import atomic_output
    from .topk import parse_per_draw

    k = parse_per_draw(per_draw, without_replacement)
    tempered = parse_temperature(temperature) if temperature is not None else None
    target = read_target(values or [], file=file, labels=labels, logits=logits, stdin=stdin_if_piped())
    draws = parse_count(n.strip(), option="-n")  # strip: see protect_negative_numbers
    workers = resolve_threads(threads)
    check_alpha(alpha)
    if tempered is not None:
        target = apply_temperature(target, tempered)
    if k is not None:
        sampler: Any = TopKSampler(target, draws, check_seed(seed), k)
    else:
        sampler = GumbelMaxSampler(target, draws, check_seed(seed))

    out_is_terminal = output is None and is_terminal(sys.stdout)
    fmt_name = fmt.value
    if fmt_name == "auto":
        fmt_name = "table" if out_is_terminal and report is not False else "plain"
    if fmt_name == "npy" and out_is_terminal:
        raise InputError("--format npy writes binary data; redirect stdout or use --output PATH")

    total = draws * target.rows
    variates = total * max(len(s.indices) for s in sampler.supports)
    # the engine advances by the draws of a chunk, which cover every row: the bar counts draws per row
    with progress_bar(draws, "sampling", variates >= PROGRESS_MIN_VARIATES) as advance:
        if counts or fmt_name == "table":
            from .stats import sample_report

            tally = sampler.counts(workers, advance)
            # The test needs SciPy (half a second to import): only build it when it is shown or used.
            result = None
            if fmt_name in ("table", "json") or report or check:
                result = sample_report(target, tally, seed=sampler.entropy, alpha=alpha, temperature=tempered)
            with atomic_output(output) as stream:
                if fmt_name == "table":
                    render_report(result, stream, to_terminal=out_is_terminal)
                else:
                    from .render import write_counts

                    write_counts(stream, fmt_name, tally, target.display_labels, result)
            if report and fmt_name not in ("table", "json"):
                render_report(result, None, to_terminal=False)
        else:
            want_report = bool(report) or check
            result = stream_draws(
                sampler, fmt_name, output, workers, advance, alpha if want_report else None, embed_report=bool(report),
                temperature=tempered,
            )
            if report and fmt_name != "json":
                render_report(result, None, to_terminal=False)
    return ExitCode.REJECTED if check and result is not None and result.rejected else ExitCode.OK


def stream_draws(
    sampler: Any,
    fmt: str,
    output: str | None,
    workers: int,
    advance: Any,
    alpha: float | None,
    *,
    embed_report: bool = True,
    temperature: float | None = None,
) -> Any:
    """Write every draw as it is produced; count them on the way when a report is wanted (alpha set).

    ``embed_report`` False keeps JSON a plain list even when the report is computed (``--check``
    without ``--report``). Draws without replacement (a sampler with ``k``) are counted per
    position; as ``.npy`` a batch of them is written row by row, the order of a (rows, n, k) array.
    """
    import numpy as np

    from .render import DrawWriter, atomic_output
    from .stats import sample_report

    with_report = alpha is not None

    target = sampler.target
    k = getattr(sampler, "k", None)
    shape = (target.rows, target.n_categories) + ((k,) if k is not None else ())
    tally = np.zeros(shape, dtype=np.int64) if with_report else None
    with atomic_output(output) as stream:
        embed = with_report and embed_report and fmt == "json"
        writer = DrawWriter(
            stream, fmt, target.labels, target.n_categories, target.rows, sampler.n, with_report=embed, per_draw=k
        )
        if k is not None and fmt == "npy" and target.rows > 1:
            for row, block in sampler.row_major(workers, advance):
                writer.write(block)
                if tally is not None:
                    sampler.add_counts(tally[row : row + 1], block[:, None])
        else:
            for chunk in sampler.chunks(sampler.draw_chunk, workers, advance):
                writer.write(chunk)
                if tally is not None:
                    sampler.add_counts(tally, chunk)
        result = (
            sample_report(target, tally, seed=sampler.entropy, alpha=alpha, temperature=temperature)
            if alpha is not None
            else None
        )
        writer.close(result)
    return result


def render_report(result: Any, stream: IO[bytes] | None, *, to_terminal: bool, draw: Any = None) -> None:
    """The human report: on stdout's terminal with colour and bars, to a file as plain text, else stderr.

    ``draw(console, result, bars=...)`` draws it: ``render.render_sample_report`` unless given.
    """
    import io

    from .render import render_sample_report

    draw = draw or render_sample_report
    if stream is None:  # data went to stdout: the report goes to stderr
        draw(console(stderr=True), result, bars=is_terminal(sys.stderr))
    elif to_terminal:
        stream.flush()
        draw(console(), result, bars=True)
    else:
        text = io.StringIO()
        draw(console(file=text), result, bars=False)
        stream.write(text.getvalue().encode())


# --------------------------------------------------------------------------------------------
# gumbel verify


class Stat(str, Enum):
    pearson = "pearson"
    g = "g"
    freeman_tukey = "freeman-tukey"
    neyman = "neyman"
    cressie_read = "cressie-read"


class Noise(str, Enum):
    gumbel = "gumbel"
    gaussian = "gaussian"


SamplesOpt = Annotated[
    str | None,
    typer.Option(
        "--samples",
        help="Test the draws in PATH or - (stdin) instead of drawing: one per line, a label (or, where no label "
        "matches, a 0-based index); also the CSV/TSV, JSON and .npy that gumbel sample writes.",
        show_default=False,
    ),
]
VerifyCountsOpt = Annotated[
    bool, typer.Option("--counts", "-c", help="The --samples input holds one count per category.")
]
VerifyDrawsOpt = Annotated[
    str | None,
    typer.Option(
        "-n",
        "--draws",
        help="Draws per distribution (default: each suite case's own; 1e6 for a target, 2e8/K if K > 200; "
        "2e5 per theory check).",
        show_default=False,
    ),
]
StatOpt = Annotated[
    Stat,
    typer.Option("--stat", help="Power-divergence statistic (scipy.stats.power_divergence).", case_sensitive=False),
]
MonteCarloOpt = Annotated[
    str | None,
    typer.Option(
        "--monte-carlo",
        "-B",
        metavar="B",
        help="Simulated p-value from B multinomial tables (valid for any expected counts).",
        show_default=False,
    ),
]
FamilyAlphaOpt = Annotated[
    float, typer.Option("--alpha", "-a", help="Family-wise significance level (Holm over all the tests).")
]
NoiseOpt = Annotated[
    Noise,
    typer.Option(
        "--noise", help="Engine noise; gaussian is the counter-example the tests must reject.", case_sensitive=False
    ),
]
TheoryOpt = Annotated[
    bool, typer.Option("--theory", help="Check the properties of the Gumbel-max trick (REFERENCE §6).")
]


@app.command(epilog=EXIT_CODES_HELP)
def verify(
    values: ValuesArg = None,
    logits: LogitsOpt = False,
    file: FileOpt = None,
    labels: LabelsOpt = None,
    samples: SamplesOpt = None,
    counts: VerifyCountsOpt = False,
    n: VerifyDrawsOpt = None,
    seed: SeedOpt = None,
    threads: ThreadsOpt = None,
    stat: StatOpt = Stat.pearson,
    monte_carlo: MonteCarloOpt = None,
    alpha: FamilyAlphaOpt = 0.01,
    noise: NoiseOpt = Noise.gumbel,
    theory: TheoryOpt = False,
    fmt: FormatOpt = Format.auto,
    per_draw: PerDrawOpt = None,
    without_replacement: WithoutReplacementOpt = False,
    temperature: TemperatureOpt = None,
) -> int:
    """Goodness-of-fit: the engine's built-in suite, a target of yours, anyone's samples, or the theory.

    With -k K --without-replacement the draws are ordered K-tuples of distinct categories (one per line
    for --samples): tested against their exact Plackett–Luce probabilities when there are at most 20000
    tuples, else position 1 against p, position 2 against its exact law and later positions by a
    randomized PIT (Holm over the tests). A draw that repeats a category is a certain rejection.

    Examples: gumbel verify ;  gumbel verify --theory ;  gumbel verify 0.2 0.3 0.5 -n 1e6 ;
    gumbel sample a=.2 b=.8 -n 1e6 | gumbel verify a=.2 b=.8 --samples - ;  gumbel verify --noise gaussian ;
    gumbel sample a=1 b=2 c=3 d=4 -k 2 --without-replacement -n 1e5 | gumbel verify a=1 b=2 c=3 d=4 -k 2
    --without-replacement --samples - ;  gumbel verify --logits 2 1 0 --temperature 0.5
    """
    from . import verification as core
    from .engine import check_k
    from .inputs import apply_temperature, parse_count, parse_temperature, read_source_bytes, read_target
    from .topk import parse_per_draw

    has_target = bool(values) or file is not None
    k = parse_per_draw(per_draw, without_replacement)
    tempered = parse_temperature(temperature) if temperature is not None else None
    draws = parse_count(n, option="-n") if n is not None else None
    sims = parse_count(monte_carlo, option="--monte-carlo") if monte_carlo is not None else None
    core.check_topk_options(k=k, temperature=tempered, has_target=has_target, theory=theory, counts=counts)
    core.check_options(
        has_target=has_target,
        samples=samples,
        file=file,
        counts=counts,
        n=draws,
        noise=noise.value,
        theory=theory,
        labels=labels,
        logits=logits,
    )
    fmt_name = _verify_format(fmt)
    options: dict[str, Any] = dict(seed=check_seed(seed), stat=stat.value, alpha=check_alpha(alpha), monte_carlo=sims)
    result: Any
    if theory:
        with progress_bar(len(core.THEORY_CHECKS), "theory", True) as advance:
            result = core.run_theory(n=draws, noise=noise.value, progress=advance, **options)
    elif not has_target:
        with progress_bar(core.suite_draws(draws), "verify", True) as advance:
            options.update(threads=resolve_threads(threads), noise=noise.value, progress=advance)
            result = core.run_suite(n=draws, **options)
    else:
        target = read_target(values or [], file=file, labels=labels, logits=logits, stdin=stdin_if_piped())
        if tempered is not None:
            target = apply_temperature(target, tempered)
            options.update(temperature=tempered)
        if k is not None:
            check_k(target, k)
        if samples is not None:
            src, suffix = ("<stdin>", "") if samples == "-" else (repr(samples), os.path.splitext(samples)[1].lower())
            data = read_source_bytes(samples, stdin_if_piped())
            if k is not None:
                found, lines = core.read_topk_samples(data, target, k, src=src, suffix=suffix)
                result = core.verify_topk_draws(target, found, source=src, lines=lines, **options)
            else:
                tally = core.read_samples(data, target, src=src, suffix=suffix, counts=counts)
                result = core.verify_counts(target, tally, source=src, **options)
        else:
            draws = draws or core.default_draws(target)
            big = draws * target.n_categories >= PROGRESS_MIN_VARIATES
            with progress_bar(draws * target.rows, "verify", big) as advance:
                options.update(threads=resolve_threads(threads), noise=noise.value, progress=advance)
                if k is not None:
                    result = core.verify_topk_engine(target, k, n=draws, **options)
                else:
                    result = core.verify_engine(target, n=draws, **options)
    _emit_verify(result, fmt_name)
    return ExitCode.REJECTED if result.rejected else ExitCode.OK


def _verify_format(fmt: Format) -> str:
    if fmt == Format.npy:
        raise InputError("--format npy is for draws; gumbel verify writes table, plain, csv, tsv, json or jsonl")
    if fmt == Format.auto:
        return "table" if is_terminal(sys.stdout) else "plain"
    return fmt.value


def _emit_verify(result: Any, fmt: str) -> None:
    """Write verify's result to stdout: a rich report on a terminal (plain text when piped), or data."""
    import io

    from .render import render_theory, render_verify, write_verify
    from .results import TheoryResult

    if fmt != "table":
        write_verify(sys.stdout.buffer, fmt, result)
        return
    on_terminal = is_terminal(sys.stdout)
    text = io.StringIO()
    out = console() if on_terminal else console(file=text)
    if isinstance(result, TheoryResult):
        render_theory(out, result)
    else:
        render_verify(out, result, bars=on_terminal)
    if not on_terminal:
        sys.stdout.buffer.write(text.getvalue().encode())
        sys.stdout.buffer.flush()


# --------------------------------------------------------------------------------------------
# gumbel relax


@app.command(epilog=EXIT_CODES_HELP)
def relax(
    values: ValuesArg = None,
    *,
    tau: Annotated[
        str,
        typer.Option(
            "--tau",
            help="Temperature τ > 0, or several comma-separated (0.1,0.5,1,5): the same noise serves every τ.",
            show_default=False,
        ),
    ],
    n: Annotated[str, typer.Option("-n", "--draws", help="Samples per distribution: 1000, 1e6, 10k, 2M.")] = "10000",
    logits: LogitsOpt = False,
    file: FileOpt = None,
    labels: LabelsOpt = None,
    seed: SeedOpt = None,
    threads: ThreadsOpt = None,
    hard: Annotated[
        bool,
        typer.Option("--hard", help="Write the one-hot vector of the argmax (straight-through forward value): the draws of `gumbel sample` with the same --seed."),
    ] = False,
    log: Annotated[
        bool,
        typer.Option("--log", help="Write log y (ExpConcrete samples), finite where y underflows to 0."),
    ] = False,
    log_prob: Annotated[
        bool,
        typer.Option("--log-prob", help="Add each sample's log-density as a last column: ExpConcrete with --log, else Concrete."),
    ] = False,
    no_noise: Annotated[
        bool,
        typer.Option("--no-noise", help="Deterministic softmax(l / τ) for comparison: every sample is the same point."),
    ] = False,
    report: Annotated[
        bool | None,
        typer.Option(
            "--report/--no-report",
            help="Print the report (to stderr when data goes to stdout): per τ the mean largest coordinate, mean entropy "
            "(nats), mean Euclidean distance from y to the vertex e_argmax(y), and the argmax chi-square test.",
            show_default=False,
        ),
    ] = None,
    alpha: AlphaOpt = 0.01,
    fmt: FormatOpt = Format.auto,
    output: OutputOpt = None,
) -> int:
    """Draw relaxed (Gumbel-Softmax) samples y = softmax((l + G) / τ), computed in log space.

    Each sample is a point of the simplex (its K values sum to 1); categories of probability 0 get
    y = 0 (log y = -inf). One τ: npy has shape n×K (rows×n×K for a batch) and text one sample per
    line. Several τ: npy n×T×K, text lines start with the τ (csv header tau,<labels>), JSON objects
    carry "tau"; a batch adds a leading row column. --log-prob: a last column log_prob (npy: a
    structured array, fields y or log_y, and log_prob).

    Examples: gumbel relax 0.2 0.3 0.5 --tau 0.5 -n 5 ;  gumbel relax --logits 0 -1 -2 --tau 0.1,1,10 -n 1e5 ;
    gumbel relax a=1 b=3 --tau 1 --hard --seed 7 --format npy -o y.npy
    """
    from .engine import RelaxSampler
    from .inputs import parse_count, read_target
    from .relaxation import RelaxTally, check_relax_options, parse_taus, relax_report
    from .render import RelaxWriter, atomic_output, render_relax_report

    target = read_target(values or [], file=file, labels=labels, logits=logits, stdin=stdin_if_piped())
    taus = parse_taus(tau)
    draws = parse_count(n, option="-n")
    workers = resolve_threads(threads)
    check_alpha(alpha)
    check_relax_options(hard=hard, log=log, log_prob=log_prob)

    out_is_terminal = output is None and is_terminal(sys.stdout)
    fmt_name = fmt.value
    if fmt_name == "auto":
        fmt_name = "table" if out_is_terminal and report is not False else "plain"
    if fmt_name == "npy" and out_is_terminal:
        raise InputError("--format npy writes binary data; redirect stdout or use --output PATH")
    want_report = fmt_name == "table" or bool(report)
    sampler = RelaxSampler(
        target, draws, check_seed(seed), taus, hard=hard, noise=not no_noise, log=log, log_prob=log_prob, summary=want_report
    )
    tally = RelaxTally(target.rows, target.n_categories, len(taus)) if want_report else None
    result = None
    variates = draws * target.rows * target.n_categories * len(taus)
    with (
        progress_bar(draws * target.rows, "relaxing", variates >= PROGRESS_MIN_VARIATES) as advance,
        atomic_output(output) as stream,
    ):
        writer = None
        if fmt_name != "table":
            writer = RelaxWriter(
                stream, fmt_name, target.display_labels, target.rows, draws, taus,
                log=log, log_prob=log_prob, with_report=want_report and fmt_name == "json",
            )
        for chunk in sampler.tasks(workers, advance):
            if writer is not None:
                writer.write(chunk)
            if tally is not None:
                tally.add(chunk)
        if tally is not None:
            result = relax_report(
                target, tally, taus=taus, seed=sampler.entropy, alpha=alpha, hard=hard, noise=not no_noise, log=log
            )
        if writer is not None:
            writer.close(result)
        else:
            render_report(result, stream, to_terminal=out_is_terminal, draw=render_relax_report)
    if report and fmt_name not in ("table", "json"):
        render_report(result, None, to_terminal=False, draw=render_relax_report)
    return ExitCode.OK
