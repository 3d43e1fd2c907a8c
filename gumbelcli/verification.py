"""The core of ``gumbel verify``: goodness-of-fit for our engine, for the theory, and for anyone's samples.

(The module is not called ``verify.py`` because importing a submodule binds its name on the
package, which would replace the Python API function ``gumbelcli.verify``.)

Three jobs, each returning a result object that ``render.py`` formats:

- :func:`run_suite` draws from the engine on embedded reference distributions (:func:`reference_cases`)
  and tests every one; :func:`verify_engine` does the same for a target of the user's.
- :func:`read_samples` turns draws (or counts) written by any program into per-category counts,
  and :func:`verify_counts` tests them against a target.
- :func:`run_theory` checks the properties of REFERENCE §6 empirically, one test per property, as a
  list of check functions (:data:`THEORY_CHECKS`) that others can extend.

Every family of tests gets a Holm correction, so ``alpha`` is the family-wise error rate of the
overall verdict. Randomness comes only from the seed; SciPy is imported inside the functions.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .engine import GaussianMaxSampler, GaussianTopKSampler, GumbelMaxSampler, ProgressCallback, TopKSampler, root_entropy
from .errors import InputError
from .inputs import Target, target_from_logits, target_from_probs
from .results import CheckResult, GofResult, TheoryResult, VerifyResult
from .sampling import exponential_noise, relax
from .stats import gof_test, holm
from .topk import TopkTally, method_note, topk_header, topk_tests

__all__ = [
    "NOISES",
    "THEORY_CHECKS",
    "ReferenceCase",
    "TheoryContext",
    "default_draws",
    "draws_to_counts",
    "map_draws",
    "read_samples",
    "reference_cases",
    "run_suite",
    "run_theory",
    "suite_draws",
    "read_topk_samples",
    "verify_counts",
    "verify_engine",
    "verify_topk_draws",
    "verify_topk_engine",
]

#: The noises the engine can add: the real one, and the Gaussian counter-example (REFERENCE §6.6).
NOISES = ("gumbel", "gaussian")

EULER_GAMMA = 0.5772156649015329

# Keys of the independent streams derived from one root seed (SeedSequence spawn keys).
_KEY_CASE = 0  # the engine's draws of suite case i: (0, i)
_KEY_SIMULATION = 1  # Monte Carlo tables of test i: (1, i)
_KEY_THEORY = 2  # theory checks: (2, property, distribution)
_KEY_PIT = 3  # the uniforms of the PIT test of draws without replacement: (3,) or (3, case)


def _child_seed(entropy: int, *key: int) -> int:
    """A 128-bit seed of its own for the stream ``key`` under the root ``entropy``."""
    state = np.random.SeedSequence(entropy, spawn_key=key).generate_state(2, np.uint64)
    return int(state[0]) | (int(state[1]) << 64)


def _child_rng(entropy: int, *key: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy, spawn_key=key)))


def _check_noise(noise: str) -> None:
    if noise not in NOISES:
        raise InputError(f"noise {noise!r} is not known; it accepts {' or '.join(NOISES)}")


def make_sampler(target: Target, n: int, seed: int | None, noise: str = "gumbel") -> GumbelMaxSampler:
    """The engine for ``target``: Gumbel-max, or the Gaussian-noise counter-example."""
    _check_noise(noise)
    cls = GaussianMaxSampler if noise == "gaussian" else GumbelMaxSampler
    return cls(target, n, seed)


# --------------------------------------------------------------------------------------------
# the embedded reference distributions


@dataclass(frozen=True)
class ReferenceCase:
    """An embedded distribution of the suite, with the draw size that tests it well by default."""

    name: str
    target: Target
    n: int  #: default draws per row
    why: str  #: what a sampler must get right to pass
    k: int | None = None  #: draws of k distinct categories without replacement (Gumbel-top-k), if set

    def row_name(self, row: int) -> str:
        return self.name if self.target.rows == 1 else f"{self.name} (row {row + 1})"


#: Tail of the "float32 trap" case: this many categories of probability 1e-7 each (REFERENCE §3).
TAIL_CATEGORIES = 10_000
TAIL_PROB = 1e-7


def reference_cases() -> tuple[ReferenceCase, ...]:
    """The distributions ``gumbel verify`` tests the engine on, with their default draw sizes.

    The default sizes keep the whole suite at a few seconds on two cores while every expected count
    that matters stays large: 200 per cell for K = 1000, and 60 in the pooled tail of the tail case,
    so a sampler that never draws the tail (float32 noise) is rejected with p < 1e-12.

    Returns
    -------
    tuple of ReferenceCase
    """
    skewed = 0.5 ** np.arange(10)
    tail = np.concatenate([[0.6, 0.3, 0.1 - TAIL_CATEGORIES * TAIL_PROB], np.full(TAIL_CATEGORIES, TAIL_PROB)])
    return (
        ReferenceCase("uniform K=2", target_from_probs([1.0, 1.0]), 1_000_000, "a fair coin"),
        ReferenceCase("uniform K=1000", target_from_probs(np.ones(1000)), 200_000, "many equal categories"),
        ReferenceCase("skewed K=10", target_from_probs(skewed), 1_000_000, "p_i ∝ 2^-i: mass over three decades"),
        ReferenceCase(
            "zeros K=6",
            target_from_probs([0.3, 0.0, 0.45, 0.0, 0.25, 0.0]),
            1_000_000,
            "categories of probability 0 must never be drawn",
        ),
        ReferenceCase(
            "logits ±1e4",
            target_from_logits([1e4, 1e4 - 1, 0.0, 1e4 - 3, -1e4, 1e4 - 0.5, -1e4 + 2]),
            1_000_000,
            "extreme logits: a stable softmax, and underflowed categories never drawn",
        ),
        ReferenceCase(
            f"tail {TAIL_CATEGORIES}×1e-7",
            target_from_probs(tail),
            60_000,
            "a head and 10^4 categories of 1e-7: float32 noise never reaches the tail",
        ),
        ReferenceCase(
            "batch K=4",
            target_from_probs([[0.1, 0.2, 0.3, 0.4], [0.7, 0.1, 0.1, 0.1], [0.25, 0.25, 0.25, 0.25]]),
            300_000,
            "several rows at once, each its own distribution",
        ),
        ReferenceCase(
            "without replacement k=2 of K=4",
            target_from_probs([0.1, 0.2, 0.3, 0.4]),
            300_000,
            "Gumbel-top-k: all 12 ordered pairs against their exact Plackett–Luce probabilities",
            k=2,
        ),
        ReferenceCase(
            "without replacement k=3 of K=100",
            target_from_probs(np.where(np.arange(100) % 10 == 9, 0.0, 0.97 ** np.arange(100))),
            200_000,
            "Gumbel-top-k with zeros: positions 1 and 2 against their exact laws, later ones by the PIT",
            k=3,
        ),
    )


def suite_draws(n: int | None = None) -> int:
    """Total draws of the suite (over all cases and rows) with ``n`` per row, or each case's default."""
    return sum((n or case.n) * case.target.rows for case in reference_cases())


#: A user's target is drawn 1e6 times by default, fewer when it is wide, so that n × K stays near 2e8.
DEFAULT_DRAWS = 1_000_000
DEFAULT_VARIATES = 200_000_000
MIN_DEFAULT_DRAWS = 10_000


def default_draws(target: Target) -> int:
    """Default draws for testing the engine on ``target``: 1e6, or 2e8 / K when K > 200 (at least 1e4)."""
    widest = int(np.count_nonzero(target.probs > 0, axis=1).max())
    return int(min(DEFAULT_DRAWS, max(MIN_DEFAULT_DRAWS, DEFAULT_VARIATES // max(widest, 1))))


# --------------------------------------------------------------------------------------------
# testing counts


def _test_rows(
    target: Target,
    counts: np.ndarray,
    names: Sequence[str],
    *,
    stat: str,
    alpha: float,
    monte_carlo: int | None,
    rngs: Callable[[int], np.random.Generator] | None,
) -> list[GofResult]:
    labels = target.display_labels
    return [
        gof_test(
            counts[r],
            target.probs[r],
            labels,
            alpha=alpha,
            stat=stat,
            name=names[r],
            monte_carlo=monte_carlo,
            rng=rngs(r) if (monte_carlo and rngs is not None) else None,
        )
        for r in range(target.rows)
    ]


def _family(
    mode: str,
    tests: Sequence[GofResult],
    sizes: Sequence[int],
    *,
    alpha: float,
    seed: int | None,
    noise: str = "gumbel",
    source: str = "",
    notes: Sequence[str] = (),
    k: int | None = None,
    temperature: float | None = None,
) -> VerifyResult:
    adjusted = holm([t.p_value for t in tests])
    if temperature is not None and temperature != 1.0:
        notes = [*notes, f"the target was tempered: p = softmax(log p / T) at T = {temperature:g}, tested as such"]
    return VerifyResult(
        mode=mode,
        tests=tuple(tests),
        p_holm=tuple(float(p) for p in adjusted),
        alpha=alpha,
        seed=seed,
        noise=noise,
        source=source,
        sizes=tuple(sizes),
        notes=tuple(notes),
        k=k,
        temperature=None if temperature == 1.0 else temperature,
    )


def verify_counts(
    target: Target,
    counts: np.ndarray,
    *,
    stat: str = "pearson",
    alpha: float = 0.01,
    monte_carlo: int | None = None,
    seed: int | None = None,
    source: str = "",
    temperature: float | None = None,
) -> VerifyResult:
    """Test per-category counts (from anyone's samples) against every row of ``target``.

    Parameters
    ----------
    target : Target
        The distribution(s) the samples should follow.
    counts : numpy.ndarray
        Shape ``(rows, K)``: observed count per row and category (see :func:`read_samples`).
    stat : str
        Power-divergence statistic (``pearson``, ``g``, ``freeman-tukey``, ``neyman``, ``cressie-read``).
    alpha : float
        Family-wise significance level of the verdict (Holm over the rows).
    monte_carlo : int, optional
        Number of simulated tables for a Monte Carlo p-value instead of the asymptotic one.
    seed : int, optional
        Seed of the simulation (fresh entropy when None and ``monte_carlo`` is set).
    source : str
        Where the samples came from, for the report.
    temperature : float, optional
        The temperature ``target`` was divided by (:func:`~gumbelcli.inputs.apply_temperature`), for the report.

    Returns
    -------
    VerifyResult
        One test per row; a draw of a category of probability 0 is a certain rejection.

    Examples
    --------
    >>> t = target_from_probs([0.5, 0.5])
    >>> verify_counts(t, np.array([[5030, 4970]])).verdict
    'pass'
    """
    counts = _check_counts(counts, target, source or "the counts")
    entropy = root_entropy(seed) if monte_carlo else seed
    names = [f"row {r + 1}" if target.rows > 1 else "samples" for r in range(target.rows)]
    rngs = (lambda r: _child_rng(entropy, _KEY_SIMULATION, r)) if monte_carlo else None
    tests = _test_rows(target, counts, names, stat=stat, alpha=alpha, monte_carlo=monte_carlo, rngs=rngs)
    return _family(
        "samples", tests, [target.n_categories] * target.rows, alpha=alpha, seed=entropy, source=source,
        temperature=temperature,
    )


def verify_engine(
    target: Target,
    *,
    n: int | None = None,
    seed: int | None = None,
    threads: int = 1,
    stat: str = "pearson",
    alpha: float = 0.01,
    monte_carlo: int | None = None,
    noise: str = "gumbel",
    progress: ProgressCallback | None = None,
    temperature: float | None = None,
) -> VerifyResult:
    """Draw ``n`` times from every row of ``target`` with our engine and test the counts.

    With the same ``seed``, the draws are exactly those ``gumbel sample --seed`` produces.

    Parameters
    ----------
    target : Target
        The distribution(s) to sample and test.
    n : int, optional
        Draws per row (default :func:`default_draws`).
    seed : int, optional
        Root seed; fresh entropy when None (reported in the result).
    threads : int
        Worker threads; the result does not depend on it.
    stat, alpha, monte_carlo
        As in :func:`verify_counts`.
    noise : str
        "gumbel", or "gaussian" for the counter-example the tests must reject.
    progress : callable, optional
        Called with the number of draws done after each chunk.
    temperature : float, optional
        The temperature ``target`` was divided by, for the report.

    Returns
    -------
    VerifyResult
    """
    entropy = root_entropy(seed)
    sampler = make_sampler(target, n or default_draws(target), entropy, noise)
    counts = sampler.counts(threads, progress)
    names = [f"row {r + 1}" if target.rows > 1 else "target" for r in range(target.rows)]
    rngs = lambda r: _child_rng(entropy, _KEY_SIMULATION, r)  # noqa: E731
    tests = _test_rows(target, counts, names, stat=stat, alpha=alpha, monte_carlo=monte_carlo, rngs=rngs)
    return _family(
        "engine", tests, [target.n_categories] * target.rows, alpha=alpha, seed=entropy, noise=noise,
        temperature=temperature,
    )


def run_suite(
    *,
    n: int | None = None,
    seed: int | None = None,
    threads: int = 1,
    stat: str = "pearson",
    alpha: float = 0.01,
    monte_carlo: int | None = None,
    noise: str = "gumbel",
    progress: ProgressCallback | None = None,
) -> VerifyResult:
    """Test the engine on every embedded reference distribution, Holm-corrected over all the tests.

    Parameters
    ----------
    n : int, optional
        Draws per distribution for every case; by default each case's own ``n``.
    seed : int, optional
        Root seed; each case draws from its own stream derived from it. Fresh entropy when None.
    threads : int
        Worker threads; the result does not depend on it.
    stat, alpha, monte_carlo, noise, progress
        As in :func:`verify_engine`.

    Returns
    -------
    VerifyResult
        One test per distribution (per row for the batch case; the without-replacement cases give
        the tests of :func:`gumbelcli.topk.topk_tests`). With ``noise="gaussian"`` the verdict must
        be "reject": the skewed cases expose the wrong noise (the uniform ones cannot, by symmetry).

    Examples
    --------
    >>> result = run_suite(n=20_000, seed=1)
    >>> len(result.tests), result.verdict
    (13, 'pass')
    """
    entropy = root_entropy(seed)
    tests: list[GofResult] = []
    sizes: list[int] = []
    notes: list[str] = []
    for i, case in enumerate(reference_cases()):
        if case.k is not None:
            sampler_seed = _child_seed(entropy, _KEY_CASE, i)
            sampler_k = make_topk_sampler(case.target, n or case.n, sampler_seed, case.k, noise)
            tally = _topk_tally(sampler_k, threads, progress, _child_rng(entropy, _KEY_PIT, i))
            names = [case.row_name(r) for r in range(case.target.rows)]
            rngs_k = lambda r, t, i=i: _child_rng(entropy, _KEY_SIMULATION, i, r, t)  # noqa: E731
            found = topk_tests(tally, names, stat=stat, alpha=alpha, monte_carlo=monte_carlo, rngs=rngs_k)
            tests += found
            sizes += [case.target.n_categories] * len(found)
            notes.append(f"{case.name}: {method_note(tally, lead=False)}")
            continue
        sampler = make_sampler(case.target, n or case.n, _child_seed(entropy, _KEY_CASE, i), noise)
        counts = sampler.counts(threads, progress)
        names = [case.row_name(r) for r in range(case.target.rows)]
        rngs = lambda r, i=i: _child_rng(entropy, _KEY_SIMULATION, i, r)  # noqa: E731
        tests += _test_rows(case.target, counts, names, stat=stat, alpha=alpha, monte_carlo=monte_carlo, rngs=rngs)
        sizes += [case.target.n_categories] * case.target.rows
    return _family("suite", tests, sizes, alpha=alpha, seed=entropy, noise=noise, notes=notes)


# --------------------------------------------------------------------------------------------
# draws without replacement (gumbel verify -k K --without-replacement)


def make_topk_sampler(target: Target, n: int, seed: int | None, k: int, noise: str = "gumbel") -> TopKSampler:
    """The engine of draws without replacement for ``target``: Gumbel-top-k, or the Gaussian counter-example."""
    _check_noise(noise)
    cls = GaussianTopKSampler if noise == "gaussian" else TopKSampler
    return cls(target, n, seed, k)


def _topk_tally(
    sampler: TopKSampler, threads: int, progress: ProgressCallback | None, rng: np.random.Generator
) -> TopkTally:
    """Every draw of ``sampler``, chunk by chunk (in order, so the PIT's uniforms do not depend on threads)."""
    tally = TopkTally(sampler.target, sampler.k, rng)
    for chunk in sampler.chunks(sampler.draw_chunk, threads, progress):
        for r in range(sampler.target.rows):
            tally.add(r, chunk[:, r])
    return tally


def verify_topk_engine(
    target: Target,
    k: int,
    *,
    n: int | None = None,
    seed: int | None = None,
    threads: int = 1,
    stat: str = "pearson",
    alpha: float = 0.01,
    monte_carlo: int | None = None,
    noise: str = "gumbel",
    progress: ProgressCallback | None = None,
    temperature: float | None = None,
) -> VerifyResult:
    """Draw ``n`` ordered samples of ``k`` distinct categories from every row and test them.

    The tests are those of :func:`gumbelcli.topk.topk_tests` (the ordered tuples against their exact
    Plackett–Luce probabilities, or the position-1, position-2 and PIT tests), Holm-corrected over
    all of them. With the same ``seed`` the draws are those of ``gumbel sample -k K
    --without-replacement --seed``.

    Parameters
    ----------
    target : Target
        The distribution(s) to sample and test.
    k : int
        Categories per draw (at most the categories of positive probability of every row).
    n, seed, threads, stat, alpha, monte_carlo, noise, progress, temperature
        As in :func:`verify_engine`.

    Returns
    -------
    VerifyResult

    Examples
    --------
    >>> verify_topk_engine(target_from_probs([0.1, 0.2, 0.3, 0.4]), 2, n=20_000, seed=1).verdict
    'pass'
    """
    entropy = root_entropy(seed)
    sampler = make_topk_sampler(target, n or default_draws(target), entropy, k, noise)
    tally = _topk_tally(sampler, threads, progress, _child_rng(entropy, _KEY_PIT))
    return _topk_family("engine", tally, entropy, stat, alpha, monte_carlo, noise=noise, temperature=temperature)


def verify_topk_draws(
    target: Target,
    draws: np.ndarray,
    *,
    seed: int | None = None,
    stat: str = "pearson",
    alpha: float = 0.01,
    monte_carlo: int | None = None,
    source: str = "",
    lines: np.ndarray | None = None,
    temperature: float | None = None,
) -> VerifyResult:
    """Test ordered draws of ``k`` distinct categories (from any program) against every row of ``target``.

    Parameters
    ----------
    target : Target
        The distribution(s) the draws should follow.
    draws : numpy.ndarray
        Category indices, shape ``(rows, n, k)`` (see :func:`read_topk_samples`).
    seed : int, optional
        Seed of the PIT test's uniforms and of Monte Carlo simulations (fresh entropy when None;
        the result records it).
    stat, alpha, monte_carlo
        As in :func:`verify_counts`.
    source : str
        Where the draws came from, for the report.
    lines : numpy.ndarray, optional
        The input line of each draw, for messages about a draw that repeats a category.
    temperature : float, optional
        The temperature ``target`` was divided by, for the report.

    Returns
    -------
    VerifyResult
        A draw that repeats a category, or holds one of probability 0, is a certain rejection.

    Examples
    --------
    >>> t = target_from_probs([0.5, 0.5])
    >>> verify_topk_draws(t, np.array([[[0, 1], [1, 0]] * 50]), seed=0).verdict
    'pass'
    >>> verify_topk_draws(t, np.array([[[0, 0], [1, 0]] * 50]), seed=0).verdict
    'reject'
    """
    draws = np.asarray(draws)
    if draws.ndim != 3 or draws.shape[0] != target.rows or draws.shape[1] == 0 or draws.shape[2] == 0:
        raise InputError(
            f"draws of shape {draws.shape} do not fit a target of {target.rows} distribution(s): "
            "give shape (rows, n, k) with n, k >= 1"
        )
    entropy = root_entropy(seed)
    tally = TopkTally(target, int(draws.shape[2]), _child_rng(entropy, _KEY_PIT))
    for r in range(target.rows):
        describe = None
        if lines is not None:
            src = source or "the input"
            describe = lambda j, r=r: f"line {int(lines[j])} of {src}"  # noqa: E731
        tally.add(r, draws[r], describe)
    return _topk_family("samples", tally, entropy, stat, alpha, monte_carlo, source=source, temperature=temperature)


def _topk_family(
    mode: str,
    tally: TopkTally,
    entropy: int,
    stat: str,
    alpha: float,
    monte_carlo: int | None,
    *,
    noise: str = "gumbel",
    source: str = "",
    temperature: float | None = None,
) -> VerifyResult:
    target = tally.target
    default = "target" if mode == "engine" else "samples"
    names = [f"row {r + 1}" if target.rows > 1 else default for r in range(target.rows)]
    rngs = lambda r, t: _child_rng(entropy, _KEY_SIMULATION, r, t)  # noqa: E731
    tests = topk_tests(tally, names, stat=stat, alpha=alpha, monte_carlo=monte_carlo, rngs=rngs)
    return _family(
        mode,
        tests,
        [target.n_categories] * len(tests),
        alpha=alpha,
        seed=entropy,
        noise=noise,
        source=source,
        notes=[method_note(tally)],
        k=tally.k,
        temperature=temperature,
    )


# --------------------------------------------------------------------------------------------
# reading samples written by any program

_NPY_MAGIC = b"\x93NUMPY"
_TEXT_SUFFIXES = (".txt", ".csv", ".tsv", ".json", ".jsonl")
#: A draw is an index or a label; a "draw" longer than this is a sign of the wrong input.
MAX_TOKEN_BYTES = 4096

_WHITESPACE = np.zeros(256, dtype=bool)
_WHITESPACE[list(b" \t\r\n\v\f")] = True
_FIELD_SEPARATORS = _WHITESPACE.copy()
_FIELD_SEPARATORS[ord(",")] = True

_SAMPLES_ACCEPTED = (
    "--samples takes one draw per line (a 0-based index or a label), CSV/TSV with a 'draw' header, "
    "JSON or JSON lines, or a .npy array of integers"
)
_COUNTS_ACCEPTED = (
    "--samples with --counts takes one count per category (one per line, or a line of K counts, "
    "or 'label,count' rows, or label=count pairs), a JSON list or object, or a .npy array of integers"
)


def _shown(token: Any) -> str:
    text = token.decode("utf-8", "replace") if isinstance(token, bytes) else str(token)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _categories_phrase(target: Target) -> str:
    k = target.n_categories
    indices = f"0-based indices 0..{k - 1}"
    if target.labels is None:
        return f"the target has {k} categories: {indices}"
    shown = ", ".join(target.labels[:6]) + (", ..." if k > 6 else "")
    return f"the categories are the labels {shown} (or {indices})"


def _index_lookup(target: Target) -> dict[str, int]:
    return {} if target.labels is None else {label: i for i, label in enumerate(target.labels)}


def _unquote(token: str) -> str:
    """A CSV-quoted label (``"a,b"``, as ``gumbel sample --format csv`` writes it) without its quotes."""
    if len(token) >= 2 and token[0] == token[-1] == '"':
        return token[1:-1].replace('""', '"')
    return token


def _token_index(token: str, lookup: dict[str, int], k: int) -> tuple[int | None, str]:
    """The category of one distinct token: a label first, else an integer index; or why not."""
    text = _unquote(token)
    if text in lookup:
        return lookup[text], ""
    if re.fullmatch(r"[+-]?[0-9]+", text):
        value = int(text)
        if 0 <= value < k:
            return value, ""
        return None, "is out of range"
    if any(ch.isspace() for ch in text):
        return None, "is not a single draw: give one draw per line"
    what = "a label or an index" if lookup else "an integer index"
    return None, f"is not {what}"


def _digit_values(matrix: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Tokens made only of ASCII digits, read as integers in one vectorized pass.

    ``matrix`` holds the tokens' bytes, NUL-padded, shape ``(m, w)``. Returns the values and a mask
    of the tokens that are plain digit strings of at most 18 digits (the others get value 0).
    """
    m, w = matrix.shape
    if w == 0 or m == 0:
        return np.zeros(m, dtype=np.int64), np.zeros(m, dtype=bool)
    digits = matrix.astype(np.int64) - ord("0")
    inside = np.arange(w) < lengths[:, None]
    plain = ((digits >= 0) & (digits <= 9) | ~inside).all(axis=1) & (lengths > 0) & (lengths <= 18)
    digits[~inside] = 0
    # Right-align: a token of length L has place values 10^(L-1) ... 10^0 in its first L columns.
    powers = 10 ** np.clip(lengths[:, None] - 1 - np.arange(w), 0, 18).astype(np.int64)
    values = (digits * powers).sum(axis=1)
    return np.where(plain, values, 0), plain


def _map_tokens(
    tokens: np.ndarray,
    target: Target,
    describe: Callable[[int], str],
    matrix: np.ndarray | None = None,
    lengths: np.ndarray | None = None,
) -> np.ndarray:
    """Category indices of an array of tokens (bytes, str or integers), vectorized.

    Without labels, plain digit strings are read as indices in one vectorized pass; every other
    token (and every token when there are labels) is mapped through the distinct values.
    """
    k = target.n_categories
    lookup = _index_lookup(target)
    out = np.empty(len(tokens), dtype=np.int64)
    todo = np.ones(len(tokens), dtype=bool)
    if tokens.dtype.kind in "iu":
        values = tokens.astype(np.int64)
        bad = (values < 0) | (values >= k)
        if bad.any():
            j = int(np.argmax(bad))
            raise InputError(f"index {int(values[j])} at {describe(j)} is out of range: {_categories_phrase(target)}")
        return values
    if matrix is not None and lengths is not None and not lookup:
        values, plain = _digit_values(matrix, lengths)
        ok = plain & (values < k)
        out[ok] = values[ok]
        todo = ~ok
    if todo.any():
        rest = np.flatnonzero(todo)
        uniq, first, inverse = np.unique(tokens[rest], return_index=True, return_inverse=True)
        table = np.empty(len(uniq), dtype=np.int64)
        problems: list[tuple[int, str, str]] = []
        for j, token in enumerate(uniq.tolist()):  # one pass over the *distinct* tokens only
            text = token.decode("utf-8", "replace") if isinstance(token, bytes) else str(token)
            index, why = _token_index(text.strip(), lookup, k)
            if index is None:
                problems.append((int(rest[first[j]]), text, why))
            else:
                table[j] = index
        if problems:
            position, text, why = min(problems)
            raise InputError(f"draw {_shown(text)} at {describe(position)} {why}; {_categories_phrase(target)}")
        out[rest] = table[inverse.reshape(-1)]
    return out


def _byte_tokens(buf: np.ndarray, *, whole_lines: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Tokens of a text as a NUL-padded byte matrix, without a Python loop over the lines.

    ``whole_lines``: a token is a whole line stripped of surrounding whitespace (labels may hold
    spaces). Otherwise tokens are separated by whitespace and commas. Blank lines give no token.

    Returns ``(matrix, lengths, line_numbers, starts)``: ``matrix[i]`` holds token i's bytes,
    ``line_numbers`` are 1-based.
    """
    newline = buf == 10
    line_of = np.cumsum(newline.astype(np.int64))  # 0-based line of each byte (a newline counts for the next line)
    separator = _WHITESPACE[buf] if whole_lines else _FIELD_SEPARATORS[buf]
    keep = np.flatnonzero(~separator)
    if keep.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return np.zeros((0, 0), dtype=np.uint8), empty, empty, empty
    if whole_lines:
        lines = line_of[keep]
        first = np.r_[True, lines[1:] != lines[:-1]]
        last = np.r_[lines[1:] != lines[:-1], True]
    else:
        first = np.r_[True, keep[1:] != keep[:-1] + 1]
        last = np.r_[keep[1:] != keep[:-1] + 1, True]
    starts = keep[first]
    ends = keep[last] + 1
    lengths = ends - starts
    width = int(lengths.max())
    numbers = line_of[starts] + 1
    if width > MAX_TOKEN_BYTES:
        j = int(np.argmax(lengths))
        raise InputError(f"line {int(numbers[j])} is {width} bytes long, too long for a draw; {_SAMPLES_ACCEPTED}")
    columns = np.arange(width)
    if len(starts) * width <= 4 * len(buf):  # the usual case: gather whole rows, then clear the padding
        matrix = buf[np.minimum(starts[:, None] + columns, len(buf) - 1)]
        matrix[columns >= lengths[:, None]] = 0
    else:  # a few long lines among many short ones: copy exactly the tokens' bytes
        total = int(lengths.sum())
        offsets = np.cumsum(lengths) - lengths  # where each token starts in the concatenation
        within = np.arange(total) - np.repeat(offsets, lengths)
        matrix = np.zeros((len(starts), width), dtype=np.uint8)
        matrix.reshape(-1)[np.repeat(np.arange(len(starts)) * width, lengths) + within] = buf[
            np.repeat(starts, lengths) + within
        ]
    return matrix, lengths, numbers, starts


def _as_strings(matrix: np.ndarray) -> np.ndarray:
    width = max(matrix.shape[1], 1)
    if matrix.shape[1] == 0:
        return np.zeros(matrix.shape[0], dtype="S1")
    return np.ascontiguousarray(matrix).view(f"S{width}").reshape(-1)


def _draws_from_text(buf: np.ndarray, target: Target, src: str) -> np.ndarray:
    rows = target.rows
    matrix, lengths, numbers, _ = _byte_tokens(buf, whole_lines=rows == 1)
    tokens = _as_strings(matrix)
    # The header `gumbel sample --format csv/tsv` writes: "draw", or "row1,row2,..." for a batch.
    header = [b"draw"] if rows == 1 else [f"row{r + 1}".encode() for r in range(rows)]
    if len(tokens) >= rows and tokens[:rows].tolist() == header and (rows == 1 or numbers[rows - 1] == numbers[0]):
        matrix, lengths, numbers, tokens = matrix[rows:], lengths[rows:], numbers[rows:], tokens[rows:]
    if len(tokens) == 0:
        raise InputError(f"no draws in {src}: it holds no data lines; {_SAMPLES_ACCEPTED}")
    if rows > 1:
        per_line = np.bincount(numbers)[numbers]
        if (per_line != rows).any():
            j = int(np.argmax(per_line != rows))
            raise InputError(
                f"line {int(numbers[j])} of {src} has {int(per_line[j])} values but the target has {rows} "
                "distributions; give one draw per distribution on each line (as gumbel sample writes a batch)"
            )
    m = len(tokens) // rows
    counts = np.zeros((rows, target.n_categories), dtype=np.int64)
    for r in range(rows):
        pick = np.arange(m) * rows + r

        def describe(j: int, pick: np.ndarray = pick, r: int = r) -> str:
            column = f", column {r + 1}" if rows > 1 else ""
            return f"line {int(numbers[pick[j]])}{column} of {src}"

        index = _map_tokens(tokens[pick], target, describe, matrix[pick], lengths[pick])
        counts[r] = np.bincount(index, minlength=target.n_categories)
    return counts


def _load_json(text: str, src: str, accepted: str) -> tuple[Any, bool]:
    """A JSON document, or JSON lines read as a list; the flag says it was JSON lines."""
    try:
        return json.loads(text), False
    except json.JSONDecodeError as exc:
        if exc.msg != "Extra data":
            raise InputError(
                f"{src} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}; {accepted}"
            ) from None
    joined = "[" + re.sub(r"\s*\n\s*", ",", text.strip()) + "]"
    try:
        return json.loads(joined), True
    except json.JSONDecodeError as exc:
        raise InputError(f"{src} is neither JSON nor JSON lines ({exc.msg}); {accepted}") from None


def _json_array(
    items: list[Any], src: str, jsonl: bool, what: str, where: Callable[[int], str] | None = None
) -> np.ndarray:
    """A JSON list of scalars as an int or str array; bad items are named with their position.

    ``where(j)`` names item ``j`` in an error (default: its JSON item, or its line with ``jsonl``);
    a caller that flattened nested lists passes its own.
    """

    def item_place(j: int) -> str:
        return f"line {j + 1} of {src}" if jsonl else f"JSON item [{j}] of {src}"

    where = where or item_place

    kinds = {type(item) for item in items}
    if kinds <= {int}:
        try:
            return np.array(items, dtype=np.int64) if items else np.zeros(0, dtype=np.int64)
        except OverflowError:  # an integer beyond int64 is out of range anyway: report it as text
            return np.array([str(item) for item in items])
    if kinds <= {int, str}:
        return np.array([str(item) for item in items]) if int in kinds else np.array(items)
    for j, item in enumerate(items):  # error path only: name the first item that is no index or label
        if isinstance(item, bool) or not isinstance(item, (int, str)):
            raise InputError(f"{json.dumps(item)[:40]} at {where(j)} is not {what}")
    raise AssertionError("unreachable")


def _draws_from_json(doc: Any, jsonl: bool, target: Target, src: str) -> np.ndarray:
    rows = target.rows
    if isinstance(doc, dict) and "draws" in doc:  # gumbel sample --format json --report
        doc = doc["draws"]
    if not isinstance(doc, list):
        raise InputError(f"{src} holds a JSON {type(doc).__name__}, not a list of draws; {_SAMPLES_ACCEPTED}")
    if not doc:
        raise InputError(f"no draws in {src}: the JSON list is empty")
    what = "a draw (a 0-based index or a label)"
    counts = np.zeros((rows, target.n_categories), dtype=np.int64)
    if rows == 1:
        columns = [_json_array(doc, src, jsonl, what)]
    else:
        bad = next((j for j, item in enumerate(doc) if not isinstance(item, list) or len(item) != rows), None)
        if bad is not None:
            raise InputError(
                f"JSON item [{bad}] of {src} is not a list of {rows} draws (one per distribution of the batch)"
            )
        flat = _json_array([x for item in doc for x in item], src, jsonl, what)
        columns = [flat[r::rows] for r in range(rows)]
    for r, column in enumerate(columns):

        def describe(j: int, r: int = r) -> str:
            item = f"[{j}]" if rows == 1 else f"[{j}][{r}]"
            return f"line {j + 1} of {src}" if (jsonl and rows == 1) else f"JSON item {item} of {src}"

        counts[r] = np.bincount(_map_tokens(column, target, describe), minlength=target.n_categories)
    return counts


def _load_npy(data: bytes, src: str) -> np.ndarray:
    import io

    try:
        arr = np.load(io.BytesIO(data), allow_pickle=False)
    except Exception as exc:  # untrusted bytes: any failure to decode them is bad input
        raise InputError(f"cannot load {src} as a NumPy .npy array ({exc})") from None
    if arr.dtype.kind not in "iu":
        raise InputError(f"{src} holds an array of dtype {arr.dtype}; a .npy input must hold integers")
    if arr.size == 0:
        raise InputError(f"no values in {src}: the array is empty (shape {arr.shape})")
    return arr


def _draws_from_npy(arr: np.ndarray, target: Target, src: str) -> np.ndarray:
    rows = target.rows
    expected = "1-D" if rows == 1 else f"2-D of shape ({rows}, n)"
    if (rows == 1 and arr.ndim != 1) or (rows > 1 and (arr.ndim != 2 or arr.shape[0] != rows)):
        raise InputError(f"{src} holds an array of shape {arr.shape}; draws for this target are {expected}")
    grid = arr.reshape(rows, -1)
    counts = np.zeros((rows, target.n_categories), dtype=np.int64)
    for r in range(rows):

        def describe(j: int, r: int = r) -> str:
            return f"position {j} of {src}" if rows == 1 else f"[{r}, {j}] of {src}"

        counts[r] = np.bincount(_map_tokens(grid[r], target, describe), minlength=target.n_categories)
    return counts


# counts ----------------------------------------------------------------------------------------


def _check_counts(counts: np.ndarray, target: Target, src: str) -> np.ndarray:
    counts = np.asarray(counts, dtype=np.int64).reshape(target.rows, target.n_categories)
    empty = counts.sum(axis=1) == 0
    if empty.any():
        which = f"row {int(np.argmax(empty)) + 1} of " if target.rows > 1 else ""
        raise InputError(f"all counts in {which}{src} are zero: there are no draws to test")
    return counts


def _count_value(token: Any, where: str) -> int:
    text = str(token).strip()
    if isinstance(token, bool) or not re.fullmatch(r"\+?[0-9]+", text):
        raise InputError(f"{_shown(text)} at {where} is not a count; a count is a non-negative integer")
    if len(text) > 18:
        raise InputError(f"count {_shown(text)} at {where} is too large; a count is below 10^18")
    return int(text)


def _labelled_counts(pairs: Iterable[tuple[str, Any, str]], target: Target, src: str) -> np.ndarray:
    """Counts given as (category, count(s), where) triples: each category at most once, missing = 0."""
    lookup = _index_lookup(target)
    counts = np.zeros((target.rows, target.n_categories), dtype=np.int64)
    seen: dict[int, str] = {}
    for label, value, where in pairs:
        index, why = _token_index(str(label).strip(), lookup, target.n_categories)
        if index is None:
            raise InputError(f"category {_shown(label)} at {where} {why}; {_categories_phrase(target)}")
        if index in seen:
            raise InputError(f"category {_shown(label)} appears twice in {src}, at {seen[index]} and {where}")
        seen[index] = where
        values = value if isinstance(value, list) else [value]
        if len(values) != target.rows:
            raise InputError(f"{where} gives {len(values)} counts but the target has {target.rows} distributions")
        counts[:, index] = [_count_value(v, where) for v in values]
    return counts


def _counts_from_text(text: str, target: Target, src: str) -> np.ndarray:
    import csv

    rows, k = target.rows, target.n_categories
    records: list[tuple[int, list[str]]] = []
    for number, line in enumerate(text.splitlines(), 1):  # K lines, not one per draw
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if "," in line or "\t" in line:
            fields = next(csv.reader([line], delimiter="," if "," in line else "\t", skipinitialspace=True))
        else:
            fields = line.split()
        records.append((number, [f.strip() for f in fields]))

    def is_count(field: str) -> bool:
        return re.fullmatch(r"\+?[0-9]+", field) is not None

    fields_all = [f for _, fields in records for f in fields]
    if fields_all and all("=" in f for f in fields_all):  # label=count pairs, as VALUES are written
        return _labelled_counts(
            (
                (f.partition("=")[0], f.partition("=")[2], f"line {number} of {src}")
                for number, fields in records
                for f in fields
            ),
            target,
            src,
        )
    header: list[str] | None = None
    if records:
        first = records[0][1]
        if not all(is_count(f) for f in first[1:]) or (len(first) == 1 and not is_count(first[0])):
            header, records = first, records[1:]  # a header such as "label,count"
    if not records:
        what = (
            f"its only line, {_shown(','.join(header))}, is not a list of counts"
            if header
            else "it holds no data lines"
        )
        raise InputError(f"no counts in {src}: {what}; {_COUNTS_ACCEPTED}")
    widths = {len(fields) for _, fields in records}
    if rows == 1 and len(records) == 1 and len(records[0][1]) == k:
        number, fields = records[0]
        return np.array([[_count_value(f, f"line {number}, column {c + 1} of {src}") for c, f in enumerate(fields)]])
    if widths == {rows}:
        if len(records) != k:
            raise InputError(
                f"{src} gives {len(records)} counts but the target has {k} categories; "
                "give one count per category, in order (or 'label,count' rows)"
            )
        return np.array(
            [[_count_value(f, f"line {number} of {src}") for f in fields] for number, fields in records]
        ).T.reshape(rows, k)
    if widths == {rows + 1}:
        return _labelled_counts(
            (
                (fields[0], fields[1:] if rows > 1 else fields[1], f"line {number} of {src}")
                for number, fields in records
            ),
            target,
            src,
        )
    number, fields = (
        next((nr, f) for nr, f in records if len(f) != len(records[0][1])) if len(widths) > 1 else records[0]
    )
    raise InputError(
        f"line {number} of {src} has {len(fields)} fields; each line holds {rows} count(s), "
        f"optionally after a label; {_COUNTS_ACCEPTED}"
    )


def _counts_from_json(doc: Any, target: Target, src: str) -> np.ndarray:
    rows, k = target.rows, target.n_categories
    if isinstance(doc, dict) and isinstance(doc.get("tests"), list):  # gumbel sample --counts --format json
        tests = doc["tests"]
        if len(tests) != rows:
            raise InputError(f"{src} is a report of {len(tests)} distributions but the target has {rows}")
        pairs = []
        try:
            for c in range(len(tests[0]["categories"])):
                cells = [t["categories"][c] for t in tests]
                pairs.append(
                    (
                        cells[0]["label"],
                        [cell["count"] for cell in cells] if rows > 1 else cells[0]["count"],
                        f"category {c + 1} of the report in {src}",
                    )
                )
        except (KeyError, IndexError, TypeError):
            raise InputError(
                f"{src} looks like a report of gumbel sample but its tests lack categories with a label and "
                f"a count; {_COUNTS_ACCEPTED}"
            ) from None
        return _labelled_counts(pairs, target, src)
    if isinstance(doc, dict):
        return _labelled_counts(
            ((key, value, f"key {json.dumps(key)} of {src}") for key, value in doc.items()), target, src
        )
    if not isinstance(doc, list) or not doc:
        raise InputError(f"no counts in {src}; {_COUNTS_ACCEPTED}")
    if all(isinstance(item, dict) for item in doc):  # gumbel sample --counts --format jsonl
        pairs = []
        for j, item in enumerate(doc):
            if "label" not in item or ("count" not in item and "counts" not in item):
                raise InputError(f"JSON item [{j}] of {src} has no 'label' and 'count'; {_COUNTS_ACCEPTED}")
            pairs.append((item["label"], item.get("count", item.get("counts")), f"JSON item [{j}] of {src}"))
        return _labelled_counts(pairs, target, src)
    grid = doc if rows > 1 else [doc]
    if len(grid) != rows or any(not isinstance(row, list) or len(row) != k for row in grid):
        shape = f"a list of {k} counts" if rows == 1 else f"a list of {rows} lists of {k} counts"
        raise InputError(f"{src} does not hold {shape} (one count per category); {_COUNTS_ACCEPTED}")
    return np.array(
        [
            [
                _count_value(v, f"JSON item [{r}][{c}] of {src}" if rows > 1 else f"JSON item [{c}] of {src}")
                for c, v in enumerate(row)
            ]
            for r, row in enumerate(grid)
        ],
        dtype=np.int64,
    )


def _counts_from_npy(arr: np.ndarray, target: Target, src: str) -> np.ndarray:
    shape = (target.n_categories,) if target.rows == 1 else (target.rows, target.n_categories)
    if arr.shape != shape:
        raise InputError(
            f"{src} holds counts of shape {arr.shape}; this target needs shape {shape} (one count per category)"
        )
    if (arr < 0).any():
        j = int(np.argmax(arr.reshape(-1) < 0))
        raise InputError(
            f"count {int(arr.reshape(-1)[j])} at position {j} of {src} is negative; a count is a non-negative integer"
        )
    return arr.astype(np.int64)


def read_samples(
    data: bytes,
    target: Target,
    *,
    src: str = "<stdin>",
    suffix: str = "",
    counts: bool = False,
) -> np.ndarray:
    """Per-category counts of samples written by any program, checked against ``target``.

    Draws are read one per line, as 0-based indices or as labels (a token that is a label means
    that label; otherwise an integer 0..K-1 is an index), in every format ``gumbel sample`` writes:
    plain lines, CSV/TSV with a ``draw`` header (``row1,row2,...`` for a batch, one column per
    distribution), a JSON list or JSON lines, or a ``.npy`` array of integers (shape ``(rows, n)``
    for a batch). With ``counts``: one count per category, in order (one per line or a line of K),
    or ``label,count`` rows, a JSON list / object / report, or a ``.npy`` array of shape ``(K,)``.
    No Python loop runs per draw: text is tokenized and mapped with array operations.

    Parameters
    ----------
    data : bytes
        The whole input.
    target : Target
        The distribution(s) the samples are tested against: its labels and number of categories.
    src : str
        The input's name, for messages.
    suffix : str
        The file's extension (``.npy``, ``.json``, ``.jsonl``, ``.csv``, ``.tsv``, ``.txt``) or "":
        without it the content is sniffed.
    counts : bool
        Read counts instead of draws.

    Returns
    -------
    numpy.ndarray
        int64 counts, shape ``(rows, K)``.

    Raises
    ------
    InputError
        On an empty input, an unknown label, an index out of range, a token that is not an integer,
        a malformed file; the message names the line (or item) and what is accepted.

    Examples
    --------
    >>> t = target_from_probs([0.5, 0.5], labels=["a", "b"])
    >>> read_samples(b"a\\nb\\n1\\n", t).tolist()
    [[1, 2]]
    """
    accepted = _COUNTS_ACCEPTED if counts else _SAMPLES_ACCEPTED
    if not data.strip():
        raise InputError(f"no {'counts' if counts else 'draws'} in {src}: it is empty; {accepted}")
    if suffix == ".npy" or (suffix not in _TEXT_SUFFIXES and data.startswith(_NPY_MAGIC)):
        if not data.startswith(_NPY_MAGIC):
            raise InputError(f"{src} is not a NumPy .npy file (it does not start with the .npy magic bytes)")
        arr = _load_npy(data, src)
        result = _counts_from_npy(arr, target, src) if counts else _draws_from_npy(arr, target, src)
        return _check_counts(result, target, src)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{src} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start}); {accepted}"
        ) from None

    def as_text() -> np.ndarray:
        if counts:
            return _counts_from_text(text, target, src)
        return _draws_from_text(np.frombuffer(data, dtype=np.uint8), target, src)

    def as_json() -> np.ndarray:
        doc, jsonl = _load_json(text, src, accepted)
        return _counts_from_json(doc, target, src) if counts else _draws_from_json(doc, jsonl, target, src)

    if suffix in (".json", ".jsonl"):
        result = as_json()
    elif suffix in (".txt", ".csv", ".tsv") or text.lstrip()[:1] not in ("[", "{", '"'):
        result = as_text()
    else:  # sniffed as JSON; labels such as "[x]" may also start a line of text
        try:
            result = as_json()
        except InputError as json_error:
            try:
                result = as_text()
            except InputError:
                raise json_error from None
    return _check_counts(result, target, src)


def draws_to_counts(draws: Any, target: Target) -> np.ndarray:
    """Counts of an array of draws (indices, or labels as strings): shape ``(rows, K)``.

    ``draws`` is 1-D for a single distribution, ``(rows, n)`` for a batch.

    Examples
    --------
    >>> draws_to_counts([0, 1, 1], target_from_probs([0.5, 0.5])).tolist()
    [[1, 2]]
    """
    arr = np.asarray(draws)
    if arr.dtype.kind not in "iuUS":
        raise InputError(f"draws must be integer indices or string labels, got an array of dtype {arr.dtype}")
    arr = arr.reshape(1, -1) if arr.ndim == 1 else arr
    if arr.ndim != 2 or arr.shape[0] != target.rows:
        raise InputError(f"draws of shape {np.shape(draws)} do not fit a target of {target.rows} distribution(s)")
    index = map_draws(arr, target)
    return np.stack([np.bincount(index[r], minlength=target.n_categories) for r in range(target.rows)])


def map_draws(draws: np.ndarray, target: Target) -> np.ndarray:
    """Category indices of draws ``(rows, m)`` given as 0-based indices or labels (checked; int64).

    Examples
    --------
    >>> map_draws(np.array([["b", "a"]]), target_from_probs([1, 1], labels=["a", "b"])).tolist()
    [[1, 0]]
    """
    arr = np.asarray(draws)
    if arr.dtype.kind not in "iuUS":
        raise InputError(f"draws must be integer indices or string labels, got an array of dtype {arr.dtype}")
    if arr.size == 0:
        raise InputError("no draws: the array is empty")
    out = np.empty(arr.shape, dtype=np.int64)
    for r in range(arr.shape[0]):
        out[r] = _map_tokens(
            arr[r], target, lambda j, r=r: f"position {j}" + (f" of row {r}" if target.rows > 1 else "")
        )
    return out


# reading draws without replacement ---------------------------------------------------------------

_TOPK_ACCEPTED = (
    "--samples with -k takes one draw per line, its k categories (labels or 0-based indices) separated by "
    "spaces, commas or tabs, as gumbel sample -k writes it (also its CSV/TSV, JSON, JSON lines and .npy)"
)


def read_topk_samples(
    data: bytes, target: Target, k: int, *, src: str = "<stdin>", suffix: str = ""
) -> tuple[np.ndarray, np.ndarray | None]:
    """Ordered draws of ``k`` categories written by any program, as category indices.

    One draw per line: its k categories in order (``rows × k`` for a batch, row by row), labels or
    0-based indices, separated by whitespace, commas or tabs; an optional header line
    (:func:`topk_header`). Also the JSON (a list of k-lists, ``[[...], ...]`` per draw for a batch,
    or ``{"draws": [...]}``), JSON lines and ``.npy`` (shape ``(n, k)``, or ``(rows, n, k)``) that
    ``gumbel sample -k K --without-replacement`` writes. Labels that hold spaces or commas are
    matched against the target's labels (a line that splits two ways is an error). A draw that
    repeats a category is *read* (the test rejects it); a wrong number of categories on a line is
    an input error.

    Parameters
    ----------
    data : bytes
        The whole input.
    target : Target
        The distribution(s): labels and number of categories.
    k : int
        Categories per draw.
    src, suffix
        As in :func:`read_samples`.

    Returns
    -------
    tuple
        Draws of shape ``(rows, n, k)`` (int64) and the input line of each draw (None for JSON and .npy).

    Raises
    ------
    InputError
        On an empty input, a line with the wrong number of categories, an unknown label, an index
        out of range, a malformed file.

    Examples
    --------
    >>> t = target_from_probs([0.2, 0.3, 0.5], labels=["a", "b", "c"])
    >>> draws, lines = read_topk_samples(b"a c\\nc,b\\n", t, 2)
    >>> draws.tolist(), lines.tolist()
    ([[[0, 2], [2, 1]]], [1, 2])
    """
    if not data.strip():
        raise InputError(f"no draws in {src}: it is empty; {_TOPK_ACCEPTED}")
    if suffix == ".npy" or (suffix not in _TEXT_SUFFIXES and data.startswith(_NPY_MAGIC)):
        if not data.startswith(_NPY_MAGIC):
            raise InputError(f"{src} is not a NumPy .npy file (it does not start with the .npy magic bytes)")
        return _topk_from_npy(_load_npy(data, src), target, k, src), None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{src} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start}); {_TOPK_ACCEPTED}"
        ) from None
    if suffix in (".json", ".jsonl") or (suffix not in _TEXT_SUFFIXES and text.lstrip()[:1] in ("[", "{")):
        doc, jsonl = _load_json(text, src, _TOPK_ACCEPTED)
        return _topk_from_json(doc, jsonl, target, k, src), None
    return _topk_from_text(data, text, target, k, src)


def _topk_from_npy(arr: np.ndarray, target: Target, k: int, src: str) -> np.ndarray:
    rows = target.rows
    shape = (rows, -1, k) if rows > 1 else (-1, k)
    expected = f"(n, {k})" if rows == 1 else f"({rows}, n, {k})"
    if arr.ndim != len(shape) or arr.shape[-1] != k or (rows > 1 and arr.shape[0] != rows):
        raise InputError(f"{src} holds an array of shape {arr.shape}; draws of {k} categories for this target are {expected}")
    grid = arr.reshape(rows, -1, k)

    def describe(j: int) -> str:
        r, rest = divmod(j, grid.shape[1] * k)
        d, c = divmod(rest, k)
        return f"[{d}, {c}] of {src}" if rows == 1 else f"[{r}, {d}, {c}] of {src}"

    return _map_tokens(grid.reshape(-1), target, describe).reshape(grid.shape)


def _topk_from_json(doc: Any, jsonl: bool, target: Target, k: int, src: str) -> np.ndarray:
    rows = target.rows
    if isinstance(doc, dict) and "draws" in doc:  # gumbel sample --format json --report
        doc = doc["draws"]
    if not isinstance(doc, list):
        raise InputError(f"{src} holds a JSON {type(doc).__name__}, not a list of draws; {_TOPK_ACCEPTED}")
    if not doc:
        raise InputError(f"no draws in {src}: the JSON list is empty")

    def where(j: int) -> str:
        return f"line {j + 1} of {src}" if jsonl else f"JSON item [{j}] of {src}"

    flat: list[Any] = []
    for j, item in enumerate(doc):
        parts = item if rows > 1 else [item]
        if not isinstance(item, list) or len(parts) != rows or any(not isinstance(p, list) or len(p) != k for p in parts):
            shape = f"a list of {k} categories" if rows == 1 else f"a list of {rows} lists of {k} categories (one per distribution)"
            raise InputError(f"{where(j)} is not {shape}; {_TOPK_ACCEPTED}")
        for part in parts:
            flat.extend(part)
    width = rows * k

    def describe(i: int) -> str:
        j, c = divmod(i, width)
        return f"{where(j)}, position {c + 1}"

    tokens = _json_array(flat, src, jsonl, "a category (a 0-based index or a label)", describe)
    return _map_tokens(tokens, target, describe).reshape(-1, rows, k).transpose(1, 0, 2)


def _topk_from_text(data: bytes, text: str, target: Target, k: int, src: str) -> tuple[np.ndarray, np.ndarray]:
    rows = target.rows
    width = rows * k
    labels = target.labels or ()
    if any(ch.isspace() or ch == "," for label in labels for ch in label):
        return _topk_from_lines(text, target, k, src)
    matrix, lengths, numbers, _ = _byte_tokens(np.frombuffer(data, dtype=np.uint8), whole_lines=False)
    tokens = _as_strings(matrix)
    header = [name.encode() for name in topk_header(rows, k)]
    if len(tokens) >= width and tokens[:width].tolist() == header and numbers[width - 1] == numbers[0]:
        matrix, lengths, numbers, tokens = matrix[width:], lengths[width:], numbers[width:], tokens[width:]
    if len(tokens) == 0:
        raise InputError(f"no draws in {src}: it holds no data lines; {_TOPK_ACCEPTED}")
    per_line = np.bincount(numbers)[numbers]
    if (per_line != width).any():
        j = int(np.argmax(per_line != width))
        what = f"{k} categories" if rows == 1 else f"{width} categories ({k} for each of the {rows} distributions)"
        raise InputError(
            f"line {int(numbers[j])} of {src} has {int(per_line[j])} values but a draw holds {what}; {_TOPK_ACCEPTED}"
        )

    def describe(j: int) -> str:
        return f"line {int(numbers[j])}, position {j % width + 1} of {src}"

    index = _map_tokens(tokens, target, describe, matrix, lengths)
    return index.reshape(-1, rows, k).transpose(1, 0, 2), numbers[::width].copy()


def _topk_from_lines(text: str, target: Target, k: int, src: str) -> tuple[np.ndarray, np.ndarray]:
    """Draws whose labels hold spaces or commas: each distinct line split against the known labels.

    CSV/TSV (recognised by their header) are parsed by the csv module, as they were quoted; plain
    lines are split at spaces into exactly ``rows × k`` known labels (or indices).
    """
    import csv

    rows = target.rows
    width = rows * k
    lookup = _index_lookup(target)
    spaced = {" ".join(label.split()): i for label, i in lookup.items()}
    lines = [(number, line.strip()) for number, line in enumerate(text.splitlines(), 1) if line.strip()]
    header = topk_header(rows, k)
    delimiter = None
    if lines and lines[0][1] in (",".join(header), "\t".join(header)):
        delimiter = "," if "," in lines[0][1] else "\t"
        lines = lines[1:]
    if not lines:
        raise InputError(f"no draws in {src}: it holds no data lines; {_TOPK_ACCEPTED}")

    def category(token: str, number: int) -> int | None:
        index, _ = _token_index(token, lookup, target.n_categories)
        return index if index is not None else spaced.get(" ".join(token.split()))

    def split_plain(line: str, number: int) -> list[int]:
        words = line.split()
        ways: dict[tuple[int, int], list[list[int]]] = {}

        def solve(start: int, left: int) -> list[list[int]]:  # at most two splits are kept
            if (start, left) in ways:
                return ways[(start, left)]
            found: list[list[int]] = []
            if left == 0:
                found = [[]] if start == len(words) else []
            else:
                for end in range(start + 1, len(words) - left + 2):
                    index = category(" ".join(words[start:end]), number)
                    if index is not None:
                        found += [[index] + rest for rest in solve(end, left - 1)][: 2 - len(found)]
                    if len(found) >= 2:
                        break
            ways[(start, left)] = found
            return found

        splits = solve(0, width)
        if len(splits) == 1:
            return splits[0]
        if not splits:
            raise InputError(
                f"line {number} of {src} is not {width} known categories separated by spaces: "
                f"{_shown(line)}; {_categories_phrase(target)}"
            )
        raise InputError(f"line {number} of {src} splits into categories in more than one way: {_shown(line)}")

    parsed: dict[str, list[int]] = {}
    out = np.empty((len(lines), width), dtype=np.int64)
    for d, (number, line) in enumerate(lines):
        if line not in parsed:
            if delimiter is None:
                parsed[line] = split_plain(line, number)
            else:
                fields = next(csv.reader([line], delimiter=delimiter))
                if len(fields) != width:
                    raise InputError(f"line {number} of {src} has {len(fields)} fields but a draw holds {width}; {_TOPK_ACCEPTED}")
                values = [category(f.strip(), number) for f in fields]
                bad = next((f for f, v in zip(fields, values) if v is None), None)
                if bad is not None:
                    raise InputError(f"category {_shown(bad)} at line {number} of {src} is not known; {_categories_phrase(target)}")
                parsed[line] = values  # type: ignore[assignment]
        out[d] = parsed[line]
    numbers = np.array([number for number, _ in lines], dtype=np.int64)
    return out.reshape(-1, rows, k).transpose(1, 0, 2), numbers


# --------------------------------------------------------------------------------------------
# the theory behind the trick (REFERENCE §6)


@dataclass(frozen=True)
class TheoryCase:
    """A distribution the theory is checked on: its name and log-probabilities."""

    name: str
    log_probs: np.ndarray
    beta: float = 1.0  #: inverse temperature of the E[max] check: E[max(G + β x)] = lse(β x) + γ


def theory_cases() -> tuple[TheoryCase, ...]:
    skewed = np.log(0.5 ** np.arange(10))
    extreme = np.array([1e4, 1e4 - 1, 0.0, 1e4 - 3, -1e4, 1e4 - 0.5, -1e4 + 2])
    return (TheoryCase("skewed K=10", skewed, beta=2.5), TheoryCase("logits ±1e4", extreme, beta=0.5))


@dataclass(frozen=True)
class TheoryContext:
    """What every theory check receives: the draw size, the noise, the test settings, the seed."""

    n: int
    noise: str
    stat: str
    alpha: float
    monte_carlo: int | None
    entropy: int

    def rng(self, *key: int) -> np.random.Generator:
        """An independent stream for the check (and distribution) named by ``key``."""
        return _child_rng(self.entropy, _KEY_THEORY, *key)

    def argmax_test(self, counts: np.ndarray, probs: np.ndarray, name: str, rng: np.random.Generator) -> GofResult:
        labels = [str(i) for i in range(len(probs))]
        return gof_test(
            counts, probs, labels, alpha=self.alpha, stat=self.stat, name=name, monte_carlo=self.monte_carlo, rng=rng
        )


#: Draws × categories per block of the theory checks (bounded memory for any n).
_THEORY_BLOCK = 1 << 20


def perturbed_max(
    rng: np.random.Generator, log_probs: np.ndarray, n: int, noise: str = "gumbel"
) -> tuple[np.ndarray, np.ndarray]:
    """``argmax`` and ``max`` of ``log p_i + noise_i`` for ``n`` draws, written as the theory states it.

    The Gumbel noise is ``G = -log E`` with ``E`` from the engine's own exponential generator; the
    Gaussian noise is standard normal (the counter-example).

    Returns
    -------
    tuple of numpy.ndarray
        The winners (int64) and the maxima (float64), each of length ``n``.
    """
    k = len(log_probs)
    per_block = max(1, _THEORY_BLOCK // k)
    winners = np.empty(n, dtype=np.int64)
    maxima = np.empty(n)
    for start in range(0, n, per_block):
        m = min(per_block, n - start)
        noise_values = -np.log(exponential_noise(rng, m, k)) if noise == "gumbel" else rng.standard_normal((m, k))
        values = noise_values + log_probs
        winners[start : start + m] = values.argmax(axis=1)
        maxima[start : start + m] = values.max(axis=1)
    return winners, maxima


def _noise_sample(rng: np.random.Generator, n: int, noise: str) -> np.ndarray:
    return -np.log(exponential_noise(rng, n, 1)[:, 0]) if noise == "gumbel" else rng.standard_normal(n)


def check_argmax(ctx: TheoryContext) -> list[CheckResult]:
    """Property 1: ``argmax_i (G_i + log p_i) ~ Categorical(p)`` (chi-square)."""
    out = []
    for d, case in enumerate(theory_cases()):
        probs = np.exp(case.log_probs - _lse(case.log_probs))
        winners, _ = perturbed_max(ctx.rng(1, d), case.log_probs, ctx.n, ctx.noise)
        gof = ctx.argmax_test(np.bincount(winners, minlength=len(probs)), probs, case.name, ctx.rng(1, d, 1))
        out.append(_from_gof("1", "argmax ~ Categorical(p)", case.name, gof))
    return out


def check_max(ctx: TheoryContext) -> list[CheckResult]:
    """Property 2: ``max_i (G_i + log p_i) ~ Gumbel(lse(log p), 1)`` (Kolmogorov–Smirnov)."""
    from scipy import stats as sps

    out = []
    for d, case in enumerate(theory_cases()):
        _, maxima = perturbed_max(ctx.rng(2, d), case.log_probs, ctx.n, ctx.noise)
        loc = _lse(case.log_probs)
        ks = sps.kstest(maxima, sps.gumbel_r(loc=loc, scale=1.0).cdf)
        out.append(
            CheckResult(
                "2",
                "max ~ Gumbel(lse, 1)",
                case.name,
                "Kolmogorov-Smirnov",
                ctx.n,
                float(ks.statistic),
                float(ks.pvalue),
                note=f"lse = {loc:.6g}",
            )
        )
    return out


def check_mean(ctx: TheoryContext) -> list[CheckResult]:
    """Property 3: ``E[max_i (G_i + β x_i)] = lse(β x) + γ`` (z-test; the Gumbel variance is π²/6)."""
    from scipy import stats as sps

    out = []
    for d, case in enumerate(theory_cases()):
        scaled = case.beta * case.log_probs
        _, maxima = perturbed_max(ctx.rng(3, d), scaled, ctx.n, ctx.noise)
        expected = _lse(scaled) + EULER_GAMMA
        # Centre before averaging: at lse ≈ 1e4 the mean of raw maxima would lose digits.
        z = float(np.mean(maxima - expected)) / (math.pi / math.sqrt(6.0) / math.sqrt(ctx.n))
        p = float(2.0 * sps.norm.sf(abs(z)))
        out.append(
            CheckResult(
                "3",
                "E[max] = lse + γ",
                f"{case.name}, β={case.beta:g}",
                "z-test",
                ctx.n,
                z,
                p,
                note=f"lse + γ = {expected:.6g}",
            )
        )
    return out


def check_noise(ctx: TheoryContext) -> list[CheckResult]:
    """Property 4: the noise is ``Gumbel(0, 1)``, and ``x ~ Exp(λ)`` ⇒ ``-log x - γ ~ Gumbel(log λ - γ, 1)`` (KS)."""
    from scipy import stats as sps

    noise = _noise_sample(ctx.rng(4, 0), ctx.n, ctx.noise)
    ks = sps.kstest(noise, sps.gumbel_r(loc=0.0, scale=1.0).cdf)
    out = [
        CheckResult(
            "4a",
            "noise ~ Gumbel(0, 1)",
            f"{ctx.noise} noise",
            "Kolmogorov-Smirnov",
            ctx.n,
            float(ks.statistic),
            float(ks.pvalue),
        )
    ]
    lam = 3.0
    x = exponential_noise(ctx.rng(4, 1), ctx.n, 1)[:, 0] / lam
    ks = sps.kstest(-np.log(x) - EULER_GAMMA, sps.gumbel_r(loc=math.log(lam) - EULER_GAMMA, scale=1.0).cdf)
    out.append(
        CheckResult(
            "4b",
            "-log Exp(λ) - γ ~ Gumbel(log λ - γ, 1)",
            f"Exp(λ={lam:g})",
            "Kolmogorov-Smirnov",
            ctx.n,
            float(ks.statistic),
            float(ks.pvalue),
            note="the exponential generator itself, whatever --noise is",
        )
    )
    return out


#: The temperatures of property 5.
RELAX_TAUS = (0.1, 1.0, 10.0)


def check_relaxed_argmax(ctx: TheoryContext) -> list[CheckResult]:
    """Property 5: the argmax of a relaxed sample ``softmax((log p + G) / τ)`` is ``Categorical(p)`` at every τ.

    Checked at τ = 0.1, 1 and 10 (chi-square) on the samples of ``gumbel relax``'s kernel, taking the
    argmax of the relaxed vector itself, each τ with noise of its own. The noise is always Gumbel:
    a relaxed sample is defined by it, so ``--noise gaussian`` does not apply here.
    """
    out = []
    for d, case in enumerate(theory_cases()):
        probs = np.exp(case.log_probs - _lse(case.log_probs))
        k = len(probs)
        per_block = max(1, _THEORY_BLOCK // k)
        for t, tau in enumerate(RELAX_TAUS):
            rng = ctx.rng(5, d, t)
            counts = np.zeros(k, dtype=np.int64)
            for start in range(0, ctx.n, per_block):
                y = relax(exponential_noise(rng, min(per_block, ctx.n - start), k), case.log_probs, np.array([tau]))
                counts += np.bincount(y[:, 0].argmax(axis=1), minlength=k)
            where = f"{case.name}, τ = {tau:g}"
            gof = ctx.argmax_test(counts, probs, where, ctx.rng(5, d, t, 1))
            out.append(_from_gof("5", "argmax of relaxed y ~ Categorical(p)", where, gof))
    return out


def check_gaussian_counterexample(ctx: TheoryContext) -> list[CheckResult]:
    """Property 6: Gaussian noise instead of Gumbel does **not** give ``Categorical(p)``: must reject."""
    out = []
    for d, case in enumerate(theory_cases()):
        probs = np.exp(case.log_probs - _lse(case.log_probs))
        winners, _ = perturbed_max(ctx.rng(6, d), case.log_probs, ctx.n, "gaussian")
        gof = ctx.argmax_test(np.bincount(winners, minlength=len(probs)), probs, case.name, ctx.rng(6, d, 1))
        out.append(_from_gof("6", "Gaussian noise: argmax ≁ Categorical(p)", case.name, gof, expect_reject=True))
    return out


def _lse(log_probs: np.ndarray) -> float:
    from scipy.special import logsumexp

    return float(logsumexp(log_probs))


def _from_gof(prop: str, claim: str, distribution: str, gof: GofResult, expect_reject: bool = False) -> CheckResult:
    return CheckResult(
        prop,
        claim,
        distribution,
        gof.stat,
        gof.n,
        gof.statistic,
        gof.p_value,
        expect_reject=expect_reject,
        df=gof.df,
        note=gof.note,
        gof=gof,
    )


TheoryCheck = Callable[[TheoryContext], Iterable[CheckResult]]

#: The checks ``gumbel verify --theory`` runs, in order. Each takes a :class:`TheoryContext` and
#: returns one :class:`CheckResult` per distribution it tests, drawing only from ``ctx.rng(key)``
#: with a key of its own (its property number first).
THEORY_CHECKS: list[TheoryCheck] = [
    check_argmax,
    check_max,
    check_mean,
    check_noise,
    check_relaxed_argmax,
    check_gaussian_counterexample,
]

#: Default draws per theory check: every check of a true property is then sensitive to a shift of
#: about 1% of a standard deviation, and the counter-example is rejected with p < 1e-100.
THEORY_DRAWS = 200_000


def run_theory(
    *,
    n: int | None = None,
    seed: int | None = None,
    stat: str = "pearson",
    alpha: float = 0.01,
    monte_carlo: int | None = None,
    noise: str = "gumbel",
    checks: Sequence[TheoryCheck] | None = None,
    progress: ProgressCallback | None = None,
) -> TheoryResult:
    """Check the properties of the Gumbel-max trick (REFERENCE §6: 1–5 and the counter-example 6).

    Parameters
    ----------
    n : int, optional
        Draws per check (default :data:`THEORY_DRAWS`).
    seed : int, optional
        Root seed; each check draws from its own stream derived from it.
    stat, alpha, monte_carlo
        The chi-square checks' statistic and simulation; ``alpha`` is family-wise (Holm over all checks).
    noise : str
        "gumbel"; "gaussian" puts Gaussian noise into properties 1–4, which must then fail.
    checks : sequence of callables, optional
        The checks to run (default :data:`THEORY_CHECKS`).
    progress : callable, optional
        Called with 1 after each check function.

    Returns
    -------
    TheoryResult
        ``ok`` when every property holds and the counter-example is rejected.

    Examples
    --------
    >>> result = run_theory(n=20_000, seed=1)
    >>> result.ok
    True
    """
    _check_noise(noise)
    ctx = TheoryContext(
        n=n or THEORY_DRAWS, noise=noise, stat=stat, alpha=alpha, monte_carlo=monte_carlo, entropy=root_entropy(seed)
    )
    results: list[CheckResult] = []
    for check in THEORY_CHECKS if checks is None else checks:
        results.extend(check(ctx))
        if progress is not None:
            progress(1)
    adjusted = holm([c.p_value for c in results])
    return TheoryResult(tuple(results), tuple(float(p) for p in adjusted), alpha, ctx.entropy, noise)


def check_topk_options(*, k: int | None, temperature: float | None, has_target: bool, theory: bool, counts: bool) -> None:
    """Reject ``-k`` and ``--temperature`` where ``gumbel verify`` has no target to apply them to.

    Raises
    ------
    InputError
        For ``--theory`` or the suite with either option, or ``--counts`` with ``-k``.
    """
    which = "-k" if k is not None else "--temperature"
    if (k is not None or temperature is not None) and theory:
        raise InputError(f"--theory checks the Gumbel-max trick itself; {which} applies to a target (VALUES or --file)")
    if (k is not None or temperature is not None) and not has_target:
        raise InputError(
            f"{which} applies to a target: pass VALUES or --file PATH (the built-in suite has its own "
            "without-replacement cases)"
        )
    if k is not None and counts:
        raise InputError(
            "--counts reads one count per category, but draws without replacement are tested as whole draws "
            "(their order and tuples): give the draws themselves to --samples"
        )


def check_options(
    *,
    has_target: bool,
    samples: str | None,
    file: str | None,
    counts: bool,
    n: int | None,
    noise: str,
    theory: bool,
    labels: str | None,
    logits: bool,
) -> None:
    """Reject combinations of ``gumbel verify`` options that mean nothing, with what to do instead.

    Raises
    ------
    InputError
        For the first such combination.
    """
    _check_noise(noise)
    if theory and (has_target or samples is not None):
        raise InputError("--theory checks the Gumbel-max trick itself; it takes no VALUES, --file or --samples")
    if not has_target and (labels is not None or logits):
        which = "--labels" if labels is not None else "--logits"
        raise InputError(
            f"{which} describes a target, but none was given; pass VALUES or --file PATH (the suite has its own)"
        )
    if samples is not None and not has_target:
        raise InputError(
            "--samples needs the target the samples should follow: pass VALUES (e.g. a=0.2 b=0.8) or --file PATH"
        )
    if counts and samples is None:
        raise InputError("--counts says that the --samples input holds counts; give --samples PATH or --samples -")
    if samples is not None and n is not None:
        raise InputError("-n sets how many draws the engine makes; with --samples the draws come from the input")
    if samples is not None and noise != "gumbel":
        raise InputError("--noise applies to draws made by the engine; with --samples the draws come from the input")
    if samples == "-" and file == "-":
        raise InputError("--samples - and --file - both read standard input; give one of them as a file")
