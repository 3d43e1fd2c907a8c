"""Goodness-of-fit on counts (REFERENCE §7). SciPy is imported inside the functions: ``--help`` and
TAB completion import this module's callers and must not pay for SciPy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .results import CategoryRow, GofResult, SampleReport

#: Cells whose expected count is below this are pooled (a stricter form of Cochran's rule, which
#: asks for no expected count below 1 and at most 20% below 5: here none stays below 5).
MIN_EXPECTED = 5.0


def standardized_residuals(counts: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """``(O - E) / sqrt(n p (1 - p))`` per category; 0 where ``p`` is 0 or 1 (no variance)."""
    n = counts.sum()
    var = n * probs * (1.0 - probs)
    with np.errstate(divide="ignore", invalid="ignore"):
        res = (counts - n * probs) / np.sqrt(var)
    return np.where(var > 0, res, 0.0)


def pool_cells(expected: np.ndarray) -> list[np.ndarray]:
    """Group cell indices so that every group's expected count is at least :data:`MIN_EXPECTED`.

    Cells already at or above the threshold stay alone; all smaller ones form one pooled group;
    if that group is still too small, the smallest single cells join it until it is large enough
    (or it is the only group left). Returns the groups, the pooled one (if any) last.
    """
    order = np.argsort(expected, kind="stable")
    small = [int(i) for i in order if expected[i] < MIN_EXPECTED]
    large = [int(i) for i in order if expected[i] >= MIN_EXPECTED]
    if not small:
        return [np.array([i]) for i in sorted(large)]
    pooled_total = float(expected[small].sum())
    while pooled_total < MIN_EXPECTED and large:
        smallest = large.pop(0)
        small.append(smallest)
        pooled_total += float(expected[smallest])
    groups = [np.array([i]) for i in sorted(large)]
    groups.append(np.array(sorted(small)))
    return groups


def gof_test(
    counts: np.ndarray,
    probs: np.ndarray,
    labels: Sequence[str],
    *,
    alpha: float = 0.01,
    stat: str = "pearson",
    name: str = "",
) -> GofResult:
    """Test observed ``counts`` against target ``probs`` with a power-divergence statistic.

    Parameters
    ----------
    counts : numpy.ndarray
        Observed count per category (non-negative integers).
    probs : numpy.ndarray
        Target probability per category, summing to 1.
    labels : sequence of str
        A name per category, used in the report.
    alpha : float
        Significance level of the verdict.
    stat : str
        ``lambda_`` of :func:`scipy.stats.power_divergence`: "pearson", "log-likelihood" (G-test),
        "freeman-tukey", "mod-log-likelihood", "neyman" or "cressie-read".
    name : str
        What is being tested, for the report.

    Returns
    -------
    GofResult
        Statistic, degrees of freedom, p-value, the per-category table and the pooled cells. A count
        in a category of probability 0 is a certain rejection (statistic inf, p-value 0), said so in
        ``note``. Fewer than two testable cells leave nothing to test: p-value 1, said so in ``note``.
    """
    from scipy import stats as sps

    counts = np.asarray(counts, dtype=np.int64)
    probs = np.asarray(probs, dtype=np.float64)
    n = int(counts.sum())
    expected = n * probs
    residuals = standardized_residuals(counts, probs)
    rows = tuple(
        CategoryRow(
            label=str(labels[i]),
            prob=float(probs[i]),
            count=int(counts[i]),
            freq=float(counts[i] / n) if n else 0.0,
            expected=float(expected[i]),
            residual=float(residuals[i]),
        )
        for i in range(len(probs))
    )
    common = dict(name=name, n=n, stat=stat, alpha=alpha, method="asymptotic", categories=rows)

    impossible = np.flatnonzero((probs == 0) & (counts > 0))
    if impossible.size:
        which = ", ".join(str(labels[i]) for i in impossible[:5])
        return GofResult(
            statistic=float("inf"),
            df=int(np.count_nonzero(probs > 0) - 1),
            p_value=0.0,
            note=f"sample contains a category of probability 0 ({which}): certain rejection",
            **common,
        )

    live = np.flatnonzero(probs > 0)
    groups = [live[g] for g in pool_cells(expected[live])]
    pooled = tuple(str(labels[i]) for g in groups if len(g) > 1 for i in g)
    obs = np.array([counts[g].sum() for g in groups], dtype=np.float64)
    exp = np.array([expected[g].sum() for g in groups], dtype=np.float64)
    if len(groups) < 2 or n == 0:
        return GofResult(
            statistic=0.0,
            df=0,
            p_value=1.0,
            pooled=pooled,
            note="fewer than two testable cells: nothing to test",
            **common,
        )
    exp *= obs.sum() / exp.sum()  # remove float rounding so SciPy's sum check always passes
    statistic, p_value = sps.power_divergence(obs, exp, lambda_=stat)
    return GofResult(
        statistic=float(statistic),
        df=len(groups) - 1,
        p_value=float(p_value),
        pooled=pooled,
        **common,
    )


def sample_report(target: Any, counts: np.ndarray, *, seed: int, alpha: float) -> SampleReport:
    """Test every row of a batch of ``counts`` (shape ``(rows, K)``) against its target row."""
    labels = target.display_labels
    tests = tuple(
        gof_test(counts[r], target.probs[r], labels, alpha=alpha, name=f"row {r + 1}" if target.rows > 1 else "")
        for r in range(target.rows)
    )
    return SampleReport(n=int(counts[0].sum()), seed=seed, tests=tests)
