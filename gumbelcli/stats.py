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

#: The statistics of the power-divergence family by their command-line names (``--stat``), each
#: mapped to the ``lambda_`` of :func:`scipy.stats.power_divergence`; SciPy's own names work too.
STAT_LAMBDAS = {
    "pearson": "pearson",
    "g": "log-likelihood",
    "log-likelihood": "log-likelihood",
    "freeman-tukey": "freeman-tukey",
    "mod-log-likelihood": "mod-log-likelihood",
    "neyman": "neyman",
    "cressie-read": "cressie-read",
}

#: Simulated tables are drawn in batches of at most this many cells, so ``--monte-carlo B`` needs
#: about 32 MB whatever B and K are.
MC_BATCH_CELLS = 1 << 22


def stat_lambda(stat: str) -> str:
    """SciPy's ``lambda_`` for a statistic name (``"g"`` -> ``"log-likelihood"``).

    Raises
    ------
    ValueError
        For a name that is not in :data:`STAT_LAMBDAS`.
    """
    try:
        return STAT_LAMBDAS[stat]
    except KeyError:
        raise ValueError(f"unknown statistic {stat!r}; known: {', '.join(STAT_LAMBDAS)}") from None


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
    monte_carlo: int | None = None,
    rng: np.random.Generator | None = None,
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
        "freeman-tukey", "mod-log-likelihood", "neyman" or "cressie-read"; "g" means "log-likelihood".
    name : str
        What is being tested, for the report.
    monte_carlo : int, optional
        Simulate this many multinomial tables under the target and report the Monte Carlo p-value
        ``(1 + #{sim >= obs}) / (B + 1)`` of the statistic on the unpooled cells of positive
        probability (valid for any expected counts; nothing is pooled). The asymptotic p-value of
        the pooled test is kept in ``extra["p_asymptotic"]``.
    rng : numpy.random.Generator, optional
        Randomness of the simulation (required with ``monte_carlo``).

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
    statistic, p_value = sps.power_divergence(obs, exp, lambda_=stat_lambda(stat))
    if monte_carlo is not None:
        if rng is None:
            raise ValueError("monte_carlo needs an rng")
        mc_statistic, mc_p = monte_carlo_pvalue(counts[live], probs[live], stat=stat, simulations=monte_carlo, rng=rng)
        common["method"] = f"monte-carlo (B={monte_carlo})"
        return GofResult(
            statistic=mc_statistic,
            df=len(live) - 1,
            p_value=mc_p,
            extra={"simulations": monte_carlo, "p_asymptotic": float(p_value), "statistic_pooled": float(statistic)},
            **common,
        )
    return GofResult(
        statistic=float(statistic),
        df=len(groups) - 1,
        p_value=float(p_value),
        pooled=pooled,
        **common,
    )


def sample_report(
    target: Any, counts: np.ndarray, *, seed: int, alpha: float, temperature: float | None = None
) -> SampleReport:
    """Test every row of a batch of ``counts`` (shape ``(rows, K)``) against its target row.

    Each row is tested at ``alpha / rows`` (Bonferroni, REFERENCE §7), so that the chance of *any*
    row of a correct batch being rejected (``sample --check`` exiting 1) stays below ``alpha``.
    Counts of draws without replacement, shape ``(rows, K, k)`` (one count per position), get
    :func:`gumbelcli.topk.topk_sample_report`. ``temperature`` (when not None or 1) is recorded:
    ``target`` is then the tempered distribution.
    """
    temperature = None if temperature == 1.0 else temperature
    if counts.ndim == 3:
        from .topk import topk_sample_report

        return topk_sample_report(target, counts, seed=seed, alpha=alpha, temperature=temperature)
    labels = target.display_labels
    row_alpha = alpha / target.rows
    tests = tuple(
        gof_test(counts[r], target.probs[r], labels, alpha=row_alpha, name=f"row {r + 1}" if target.rows > 1 else "")
        for r in range(target.rows)
    )
    return SampleReport(n=int(counts[0].sum()), seed=seed, tests=tests, temperature=temperature)


def monte_carlo_pvalue(
    counts: np.ndarray,
    probs: np.ndarray,
    *,
    stat: str = "pearson",
    simulations: int,
    rng: np.random.Generator,
) -> tuple[float, float]:
    """The power-divergence statistic of ``counts`` and its Monte Carlo p-value under ``probs``.

    ``simulations`` multinomial tables of the same total are drawn under ``probs`` (vectorized, in
    batches of :data:`MC_BATCH_CELLS` cells), and ``p = (1 + #{sim >= obs}) / (B + 1)`` as R's
    ``chisq.test(simulate.p.value = TRUE)`` computes it, with the same allowance of 64 ulps for a
    simulated statistic equal to the observed one. Valid for any expected counts: nothing is pooled.

    Parameters
    ----------
    counts : numpy.ndarray
        Observed counts of the cells, all of positive probability.
    probs : numpy.ndarray
        Their probabilities (normalised here).
    stat : str
        A name of :data:`STAT_LAMBDAS`.
    simulations : int
        B, the number of simulated tables (at least 1).
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    tuple of float
        The observed statistic and the p-value, which is never below ``1 / (B + 1)``.

    Examples
    --------
    >>> stat, p = monte_carlo_pvalue(np.array([48, 52]), np.array([0.5, 0.5]), simulations=99,
    ...                              rng=np.random.default_rng(0))
    >>> round(stat, 2), 0.01 <= p <= 1
    (0.16, True)
    """
    from scipy import stats as sps

    lam = stat_lambda(stat)
    counts = np.asarray(counts, dtype=np.float64)
    p = np.asarray(probs, dtype=np.float64)
    p = p / p.sum()
    n = int(round(counts.sum()))
    expected = n * p
    with np.errstate(divide="ignore", invalid="ignore"):
        observed = float(sps.power_divergence(counts, expected, lambda_=lam).statistic)
        threshold = observed * (1.0 - 64 * np.finfo(np.float64).eps)
        per_batch = max(1, MC_BATCH_CELLS // max(len(p), 1))
        hits = 0
        done = 0
        while done < simulations:
            size = min(per_batch, simulations - done)
            tables = rng.multinomial(n, p, size=size)
            simulated = sps.power_divergence(tables, expected, lambda_=lam, axis=1).statistic
            hits += int(np.count_nonzero(simulated >= threshold))
            done += size
    return observed, (1 + hits) / (simulations + 1)


def holm(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values: reject test ``i`` at family-wise level α iff ``adj[i] < α``.

    The smallest p-value is multiplied by m, the next by m - 1, and so on; a running maximum keeps
    the order, and values are capped at 1. Valid under any dependence between the tests.

    Parameters
    ----------
    p_values : array_like
        The raw p-values of the m tests of one family.

    Returns
    -------
    numpy.ndarray
        The adjusted p-values, in the input's order.

    Examples
    --------
    >>> holm([0.01, 0.04, 0.03]).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p_values, dtype=np.float64)
    m = p.size
    if m == 0:
        return p.copy()
    order = np.argsort(p, kind="stable")
    scaled = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out = np.empty(m)
    out[order] = np.minimum(scaled, 1.0)
    return out
