"""Draws without replacement (Gumbel-top-k): Plackett–Luce probabilities, tallies and their tests.

A draw of ``gumbel sample -k K --without-replacement`` is an ordered tuple of K distinct
categories whose law is Plackett–Luce (REFERENCE §6.7):
``P(i_1..i_K) = Π_j p_{i_j} / (1 - Σ_{l<j} p_{i_l})``. This module computes what can be known
exactly about that law and turns draws into goodness-of-fit tests (``render.py`` formats them):

- the ordered tuples themselves, enumerated with their exact probabilities when there are at most
  :data:`MAX_TUPLE_CELLS` of them (K = 2 of 4 categories: 12 ordered pairs): one chi-square test
  that sees everything about the draws;
- otherwise three tests, each exact, Holm-combined by the caller: position 1 against ``p``
  (it *is* ``p``), position 2 against its closed form ``p_i Σ_{a≠i} p_a / (1 - p_a)``, and every
  later position given the earlier ones through the randomized probability integral transform
  (:class:`TopkTally`), which turns a correct sampler's draws into independent Uniform(0, 1)
  values whatever K and k are.

Probabilities are computed in log space, so categories whose probability underflows in double
precision (a small ``--temperature``) still get their exact share. SciPy is imported inside
functions only (through :mod:`gumbelcli.stats`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .inputs import Target
from .results import CategoryRow, GofResult, SampleReport

__all__ = [
    "MAX_TUPLE_CELLS",
    "TopkTally",
    "loo_logsumexp",
    "ordered_tuples",
    "second_position_probs",
    "topk_header",
    "topk_sample_report",
    "topk_tests",
]

#: Ordered tuples are enumerated (one cell each) up to this many; beyond, the marginal tests run.
MAX_TUPLE_CELLS = 20_000
#: Positions after the first that the conditional (PIT) test uses: 2 .. 1 + this.
PIT_MAX_POSITIONS = 32
#: A position is left out of the PIT test when the categories still available hold less than this
#: mass: their conditional law is then not resolved by double-precision probabilities.
PIT_MIN_MASS = 1e-9
#: Resolution of the PIT histogram; the test merges it into 10 to 100 equal bins.
_PIT_FINE_BINS = 1000


def topk_header(rows: int, k: int) -> list[str]:
    """The CSV/TSV header of draws without replacement: ``draw_1..draw_k``, or ``row1_1..`` for a batch."""
    if rows == 1:
        return [f"draw_{j + 1}" for j in range(k)]
    return [f"row{r + 1}_{j + 1}" for r in range(rows) for j in range(k)]


def parse_per_draw(text: str | None, without_replacement: bool, *, option: str = "-k") -> int | None:
    """Validate ``-k K`` and ``--without-replacement``, which go together; return K or None.

    Raises
    ------
    InputError
        When ``-k`` is not a positive integer, or one of the two options comes without the other.
    """
    from .errors import InputError
    from .inputs import parse_positive_int

    if text is None:
        if without_replacement:
            raise InputError(
                f"--without-replacement needs {option} K, the number of distinct categories per draw (e.g. {option} 2)"
            )
        return None
    k = parse_positive_int(text.strip(), option=option)
    if not without_replacement:
        raise InputError(
            f"{option} {k} draws {k} distinct categories per draw and needs --without-replacement; "
            "for more independent draws (with replacement) use -n"
        )
    return k


# --------------------------------------------------------------------------------------------
# exact probabilities


def loo_logsumexp(x: np.ndarray) -> np.ndarray:
    """Leave-one-out log-sum-exp: ``out[i] = log Σ_{j≠i} exp(x_j)``, without cancellation.

    For every ``i`` but the argmax, ``Σ_{j≠i}`` still holds the maximum term, so subtracting one
    term from the shifted total loses nothing; the argmax's own sum is computed directly.

    Examples
    --------
    >>> np.exp(loo_logsumexp(np.log([1.0, 2.0, 7.0]))).round(12).tolist()
    [9.0, 8.0, 3.0]
    """
    x = np.asarray(x, dtype=np.float64)
    out = np.full(x.shape, -np.inf)
    if x.size < 2:
        return out
    top = int(np.argmax(x))
    peak = x[top]
    if not np.isfinite(peak):
        return out if peak == -np.inf else np.full(x.shape, np.inf)
    terms = np.exp(x - peak)
    total = terms.sum()
    with np.errstate(divide="ignore"):
        out = peak + np.log(np.maximum(total - terms, 0.0))
        rest = np.delete(x, top)
        rest_peak = rest.max()
        out[top] = rest_peak + np.log(np.exp(rest - rest_peak).sum()) if np.isfinite(rest_peak) else -np.inf
    return out


def second_position_probs(log_probs: np.ndarray) -> np.ndarray:
    """The exact law of the second category of a draw without replacement.

    ``P(X_2 = i) = Σ_{a≠i} p_a · p_i / (1 - p_a) = p_i · Σ_{a≠i} p_a / (1 - p_a)``, computed in log
    space with :func:`loo_logsumexp` (``1 - p_a`` is the mass of the others, never ``1 - p_a``
    rounded), so a category that holds almost all the mass, or one whose probability underflows,
    gets its exact share.

    Parameters
    ----------
    log_probs : numpy.ndarray
        The K log-probabilities of one distribution (``-inf`` for probability 0), at least two finite.

    Returns
    -------
    numpy.ndarray
        K probabilities summing to 1.

    Examples
    --------
    >>> second_position_probs(np.log([0.5, 0.5])).tolist()
    [0.5, 0.5]
    """
    lp = np.asarray(log_probs, dtype=np.float64)
    finite = np.isfinite(lp)
    out = np.zeros(lp.shape)
    if finite.sum() < 2:
        return out
    sub = lp[finite]
    ratio = sub - loo_logsumexp(sub)  # log p_a / (1 - p_a)
    log_q = sub + loo_logsumexp(ratio)
    q = np.exp(log_q - log_q.max())
    out[finite] = q / q.sum()
    return out


def count_ordered_tuples(size: int, k: int, limit: int = MAX_TUPLE_CELLS) -> int | None:
    """``size! / (size - k)!``, the number of ordered k-tuples of distinct categories; None above ``limit``."""
    total = 1
    for j in range(k):
        total *= size - j
        if total > limit:
            return None
    return total


def ordered_tuples(log_probs: np.ndarray, k: int, limit: int = MAX_TUPLE_CELLS) -> tuple[np.ndarray, np.ndarray] | None:
    """Every ordered k-tuple of distinct categories of positive probability, and its exact probability.

    ``log P(i_1..i_k) = Σ_j (l_{i_j} - log Σ_{i ∉ {i_1..i_{j-1}}} p_i)``: the mass left at step j is
    summed over the categories still available, in log space, never as ``1 - Σ`` of the taken ones.

    Parameters
    ----------
    log_probs : numpy.ndarray
        The K log-probabilities of one distribution.
    k : int
        Categories per draw.
    limit : int
        Return None when there are more tuples than this.

    Returns
    -------
    tuple of numpy.ndarray or None
        ``(tuples, probs)``: category indices of shape ``(T, k)`` in lexicographic order, and T
        probabilities summing to 1.

    Examples
    --------
    >>> tuples, probs = ordered_tuples(np.log([0.2, 0.8]), 2)
    >>> tuples.tolist(), probs.round(12).tolist()
    ([[0, 1], [1, 0]], [0.2, 0.8])
    """
    lp = np.asarray(log_probs, dtype=np.float64)
    support = np.flatnonzero(np.isfinite(lp))
    s = len(support)
    if k > s or count_ordered_tuples(s, k, limit) is None:
        return None
    ranks = np.array(list(itertools.permutations(range(s), k)), dtype=np.intp).reshape(-1, k)
    sub = lp[support]
    available = np.ones((len(ranks), s), dtype=bool)
    log_p = np.zeros(len(ranks))
    rows = np.arange(len(ranks))
    for j in range(k):
        left = np.where(available, sub, -np.inf)
        peak = left.max(axis=1)
        with np.errstate(under="ignore"):
            log_left = peak + np.log(np.exp(left - peak[:, None]).sum(axis=1))
        log_p += sub[ranks[:, j]] - log_left
        available[rows, ranks[:, j]] = False
    with np.errstate(under="ignore"):
        probs = np.exp(log_p)
    return support[ranks], probs / probs.sum()


# --------------------------------------------------------------------------------------------
# tallies of draws


@dataclass
class RowTally:
    """What :class:`TopkTally` keeps for one distribution of the batch."""

    positions: np.ndarray  #: (K, k) counts of each category at each position (valid draws)
    tuple_counts: np.ndarray | None  #: counts of each enumerated tuple, or None
    pit: np.ndarray  #: histogram of the PIT values on [0, 1), :data:`_PIT_FINE_BINS` bins
    draws: int = 0  #: draws seen, valid or not
    repeats: int = 0  #: draws that repeat a category
    impossible: int = 0  #: draws (without repeats) holding a category of probability 0
    first_invalid: str = ""  #: the first invalid draw, described
    pit_left_out: int = 0  #: positions left out of the PIT test (mass left below PIT_MIN_MASS)


@dataclass
class TopkTally:
    """Running statistics of ordered draws without replacement, chunk by chunk, for :func:`topk_tests`.

    Feed it draws with :meth:`add`, in a fixed order: the PIT test's randomization comes from
    ``rng`` in that order, so the same draws and seed give the same result.

    Parameters
    ----------
    target : Target
        The distributions the draws should follow (one per row).
    k : int
        Categories per draw.
    rng : numpy.random.Generator
        Uniform variates of the randomized PIT.
    """

    target: Target
    k: int
    rng: np.random.Generator
    rows: list[RowTally] = field(default_factory=list)

    def __post_init__(self) -> None:
        k, n_categories = self.k, self.target.n_categories
        self._tuples = [ordered_tuples(lp, k) for lp in self.target.log_probs]
        self._codes: list[np.ndarray | None] = []
        self._ranks: list[np.ndarray] = []
        for r, lp in enumerate(self.target.log_probs):
            support = np.flatnonzero(np.isfinite(lp))
            rank = np.full(n_categories, -1, dtype=np.int64)
            rank[support] = np.arange(len(support))
            self._ranks.append(rank)
            found = self._tuples[r]
            self._codes.append(None if found is None else self._encode(rank[found[0]], len(support)))
            self.rows.append(
                RowTally(
                    positions=np.zeros((n_categories, k), dtype=np.int64),
                    tuple_counts=None if found is None else np.zeros(len(found[1]), dtype=np.int64),
                    pit=np.zeros(_PIT_FINE_BINS, dtype=np.int64),
                )
            )
        probs = self.target.probs
        self._cum_before = np.cumsum(probs, axis=1) - probs  # Σ_{c<i} p_c
        self._total = probs.sum(axis=1)

    def _encode(self, ranks: np.ndarray, size: int) -> np.ndarray:
        """Mixed-radix codes of tuples of support ranks: lexicographic order is numeric order."""
        codes = np.zeros(len(ranks), dtype=np.int64)
        for j in range(ranks.shape[1]):
            codes = codes * size + ranks[:, j]
        return codes

    def enumerated(self, row: int) -> tuple[np.ndarray, np.ndarray] | None:
        """The enumerated tuples of ``row`` and their probabilities, or None when there are too many."""
        return self._tuples[row]

    def add(self, row: int, draws: np.ndarray, describe: Callable[[int], str] | None = None) -> None:
        """Count draws of ``row``: shape ``(m, k)``, category indices in ``0..K-1``.

        ``describe(j)`` names draw ``j`` of this batch for a message (default ``draw <number>``).
        """
        draws = np.asarray(draws, dtype=np.int64).reshape(-1, self.k)
        tally = self.rows[row]
        m = len(draws)
        if m == 0:
            return
        rank = self._ranks[row]
        ordered = np.sort(draws, axis=1)
        repeats = (ordered[:, 1:] == ordered[:, :-1]).any(axis=1)
        impossible = ~repeats & (rank[draws] < 0).any(axis=1)
        bad = repeats | impossible
        if bad.any():
            j = int(np.argmax(bad))
            if not tally.first_invalid:
                labels = self.target.display_labels
                name = describe(j) if describe is not None else f"draw {tally.draws + j + 1}"
                what = "repeats a category" if repeats[j] else "holds a category of probability 0"
                tally.first_invalid = f"{name} ({' '.join(labels[i] for i in draws[j])}) {what}"
            tally.repeats += int(repeats.sum())
            tally.impossible += int(impossible.sum())
            draws = draws[~bad]
        tally.draws += m
        if len(draws) == 0:
            return
        k, n_categories = self.k, self.target.n_categories
        codes = (draws * k + np.arange(k)).reshape(-1)  # category i at position j -> i·k + j
        flat = tally.positions.reshape(-1)
        if 8 * codes.size >= flat.size:
            flat += np.bincount(codes, minlength=n_categories * k)
        else:  # a few draws of many categories: cost by draw, not by table
            np.add.at(flat, codes, 1)
        if tally.tuple_counts is not None:
            support_size = int((rank >= 0).sum())
            cells = np.searchsorted(self._codes[row], self._encode(rank[draws], support_size))
            tally.tuple_counts += np.bincount(cells, minlength=len(tally.tuple_counts))
        elif k >= 2:
            self._add_pit(row, draws)

    def _add_pit(self, row: int, draws: np.ndarray) -> None:
        """Randomized PIT of positions 2.. given the earlier ones: Uniform(0, 1) and independent under the target.

        Given the categories taken before position j, the category at j follows ``p`` restricted
        to the others and renormalised; with ``F`` that law's CDF in category order,
        ``U = F(x-) + V · P(x)`` with ``V ~ Uniform(0, 1)`` is exactly uniform, and the ``U`` of the
        successive positions of a draw are independent (Rosenblatt's transform).
        """
        probs = self.target.probs[row]
        cum_before = self._cum_before[row]
        tally = self.rows[row]
        last = min(self.k, 1 + PIT_MAX_POSITIONS)
        m = len(draws)
        taken = probs[draws[:, 0]].copy()  # mass of the categories taken so far
        uniforms = self.rng.random((m, last - 1))
        for j in range(1, last):
            x = draws[:, j]
            left = self._total[row] - taken
            prefix = draws[:, :j]
            below = np.where(prefix < x[:, None], probs[prefix], 0.0).sum(axis=1)
            keep = left >= PIT_MIN_MASS
            with np.errstate(divide="ignore", invalid="ignore"):
                u = (cum_before[x] - below + uniforms[:, j - 1] * probs[x]) / left
            u = np.clip(u[keep], 0.0, np.nextafter(1.0, 0.0))
            tally.pit += np.bincount((u * _PIT_FINE_BINS).astype(np.int64), minlength=_PIT_FINE_BINS)
            tally.pit_left_out += int(m - keep.sum())
            taken += probs[x]


# --------------------------------------------------------------------------------------------
# tests


def _pit_bins(fine: np.ndarray) -> np.ndarray:
    """Merge the fine PIT histogram into 10, 20, 50 or 100 equal bins: about 50 values expected per bin or more."""
    total = int(fine.sum())
    bins = next((b for b in (100, 50, 20) if total >= 50 * b), 10)
    return fine.reshape(bins, -1).sum(axis=1)


def _validity_test(tally: RowTally, name: str, stat: str, alpha: float) -> GofResult | None:
    """A certain rejection when some draw repeats a category or holds one of probability 0, else None."""
    invalid = tally.repeats + tally.impossible
    if not invalid:
        return None
    valid = tally.draws - invalid
    rows = (
        CategoryRow("distinct, positive probability", 1.0, valid, valid / tally.draws, float(tally.draws), 0.0),
        CategoryRow("repeat a category", 0.0, tally.repeats, tally.repeats / tally.draws, 0.0, 0.0),
        CategoryRow("hold a category of probability 0", 0.0, tally.impossible, tally.impossible / tally.draws, 0.0, 0.0),
    )
    return GofResult(
        name=name,
        n=tally.draws,
        stat=stat,
        statistic=float("inf"),
        df=0,
        p_value=0.0,
        alpha=alpha,
        method="exact",
        categories=rows,
        note=f"{invalid} of {tally.draws} draws are not k distinct categories of positive probability; "
        f"the first: {tally.first_invalid}: certain rejection",
    )


def topk_tests(
    tally: TopkTally,
    names: Sequence[str],
    *,
    stat: str = "pearson",
    alpha: float = 0.01,
    monte_carlo: int | None = None,
    rngs: Callable[[int, int], np.random.Generator] | None = None,
) -> list[GofResult]:
    """The goodness-of-fit tests of the draws in ``tally``, row by row.

    Per row: the ordered k-tuples against their exact Plackett–Luce probabilities when they can be
    enumerated (:data:`MAX_TUPLE_CELLS`); otherwise position 1 against ``p``, position 2 against
    :func:`second_position_probs`, and positions 2 to ``1 +`` :data:`PIT_MAX_POSITIONS` given the
    earlier ones (the randomized PIT, on equal bins of [0, 1)). Each test is exact; they are
    correlated, so the caller combines them with Holm (valid under any dependence). Draws that
    repeat a category or hold one of probability 0 add a certain rejection and are left out of
    the other tests.

    Parameters
    ----------
    tally : TopkTally
        The counted draws.
    names : sequence of str
        A name per row ("target", "row 2", a suite case's name), prefixed to each test's name.
    stat, alpha, monte_carlo
        As in :func:`gumbelcli.stats.gof_test`.
    rngs : callable, optional
        ``rngs(row, test)`` gives the stream of a Monte Carlo simulation (required with ``monte_carlo``).

    Returns
    -------
    list of GofResult
    """
    from .stats import gof_test

    target, k = tally.target, tally.k
    labels = target.display_labels
    out: list[GofResult] = []
    for r, row in enumerate(tally.rows):
        prefix = names[r]

        def run(counts: np.ndarray, probs: np.ndarray, cells: Sequence[str], what: str, r: int = r) -> GofResult:
            index = len([t for t in out if t.name.startswith(prefix)])
            rng = rngs(r, index) if (monte_carlo and rngs is not None) else None
            name = f"{prefix}: {what}" if prefix else what
            return gof_test(counts, probs, cells, alpha=alpha, stat=stat, name=name, monte_carlo=monte_carlo, rng=rng)

        validity = _validity_test(row, f"{prefix}: distinct categories" if prefix else "distinct categories", stat, alpha)
        if validity is not None:
            out.append(validity)
        if row.draws - row.repeats - row.impossible == 0:
            continue
        found = tally.enumerated(r)
        if found is not None and row.tuple_counts is not None:
            tuples, probs = found
            cells = [" ".join(labels[i] for i in t) for t in tuples.tolist()]
            what = "categories" if k == 1 else f"ordered {k}-tuples" if k > 2 else "ordered pairs"
            out.append(run(row.tuple_counts, probs, cells, what))
            continue
        out.append(run(row.positions[:, 0], target.probs[r], labels, "position 1"))
        if k >= 2:
            out.append(run(row.positions[:, 1], second_position_probs(target.log_probs[r]), labels, "position 2"))
            if row.pit.sum() > 0:
                bins = _pit_bins(row.pit)
                edges = np.linspace(0.0, 1.0, len(bins) + 1)
                cells = [f"[{a:.2f}, {b:.2f})" for a, b in zip(edges[:-1], edges[1:])]
                last = min(k, 1 + PIT_MAX_POSITIONS)
                span = "position 2" if last == 2 else f"positions 2-{last}"
                out.append(run(bins, np.full(len(bins), 1.0 / len(bins)), cells, f"{span} given the earlier (PIT)"))
    return out


def method_note(tally: TopkTally, *, lead: bool = True) -> str:
    """One sentence on how draws without replacement were tested (for the report's notes).

    ``lead`` starts it with "draws without replacement (k = K): " (the suite names its case instead).
    """
    k = tally.k
    enumerated = [found is not None for found in (tally.enumerated(r) for r in range(tally.target.rows))]
    parts = []
    if any(enumerated):
        parts.append(
            f"ordered {k}-tuples tested against their exact Plackett–Luce probabilities "
            f"Π p_i / (mass left), all tuples enumerated (at most {MAX_TUPLE_CELLS:,})"
        )
    if not all(enumerated):
        text = "too many tuples to enumerate: position 1 tested against p"
        if k >= 2:
            last = min(k, 1 + PIT_MAX_POSITIONS)
            text += (
                ", position 2 against its exact law p_i Σ_{a≠i} p_a / (1 - p_a), and "
                + ("position 2" if last == 2 else f"positions 2-{last}")
                + " given the earlier ones by the randomized probability integral transform "
                "(Uniform(0, 1) under the target)"
            )
        parts.append(text)
    left_out = sum(row.pit_left_out for row in tally.rows)
    if left_out:
        parts.append(f"{left_out} positions left out of the PIT test: the categories still available held < {PIT_MIN_MASS:g} of the mass")
    return (f"draws without replacement (k = {k}): " if lead else "") + "; ".join(parts)


# --------------------------------------------------------------------------------------------
# the report of gumbel sample -k


def topk_sample_report(
    target: Target, positions: np.ndarray, *, seed: int, alpha: float, temperature: float | None = None
) -> SampleReport:
    """The report of ``gumbel sample -k K --without-replacement`` from per-position counts.

    Per row: position 1 against ``p`` and (k ≥ 2) position 2 against its exact law, each at
    ``alpha / (rows × tests per row)`` (Bonferroni), so ``--check`` exits 1 for a correct sampler
    with probability below ``alpha``. Inclusion counts (draws that contain each category) are
    reported without a test: their exact law has no closed form.

    Parameters
    ----------
    target : Target
        The (tempered) target.
    positions : numpy.ndarray
        Counts of shape ``(rows, K, k)`` (:meth:`gumbelcli.engine.TopKSampler.counts`).
    seed : int
        The root seed of the draws.
    alpha : float
        Family-wise level of ``--check``.
    temperature : float, optional
        The temperature the target was divided by, for the report.

    Returns
    -------
    SampleReport
    """
    from .stats import gof_test

    rows, _, k = positions.shape
    labels = target.display_labels
    per_row = 2 if k >= 2 else 1
    level = alpha / (rows * per_row)
    tests = []
    for r in range(rows):
        prefix = f"row {r + 1}, " if rows > 1 else ""
        tests.append(gof_test(positions[r, :, 0], target.probs[r], labels, alpha=level, name=f"{prefix}position 1"))
        if k >= 2:
            law = second_position_probs(target.log_probs[r])
            tests.append(gof_test(positions[r, :, 1], law, labels, alpha=level, name=f"{prefix}position 2"))
    n = int(positions[0, :, 0].sum())
    inclusion = tuple(tuple(int(c) for c in positions[r].sum(axis=1)) for r in range(rows))
    return SampleReport(n=n, seed=seed, tests=tuple(tests), k=k, inclusion=inclusion, temperature=temperature)


def inclusion_rows(report: SampleReport, row: int) -> list[tuple[int, float]]:
    """Per category of ``row``: how many draws hold it, and that as a fraction of the draws."""
    counts = report.inclusion[row]
    return [(c, c / report.n if report.n else 0.0) for c in counts]

