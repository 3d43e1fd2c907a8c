"""gumbel: categorical sampling with the Gumbel-max trick, Gumbel-Softmax relaxations, and
goodness-of-fit tests for samples.

The Python API mirrors the command line::

    >>> import gumbelcli
    >>> draws = gumbelcli.sample([0.2, 0.8], n=5, seed=1)
    >>> draws.shape
    (5,)

Heavy modules (NumPy kernels, SciPy) are imported inside the functions, so importing the package,
``gumbel --help`` and shell completion stay fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import ArrayLike

    from collections.abc import Sequence

    from .results import TheoryResult, VerifyResult

__all__ = ["__version__", "relax", "sample", "verify"]


def sample(
    weights: ArrayLike | None = None,
    n: int = 1,
    *,
    logits: ArrayLike | None = None,
    seed: int | None = None,
    threads: int | None = None,
    counts: bool = False,
    k: int | None = None,
    replace: bool = True,
    temperature: float = 1.0,
) -> np.ndarray:
    """Draw from categorical distributions with the Gumbel-max trick (exponential race, float64).

    With ``k`` and ``replace=False`` each draw is ``k`` distinct categories in order, drawn with the
    Gumbel-top-k trick: one pass of noise and a partial sort, an exact Plackett–Luce sample without
    replacement, ``P(i_1..i_k) = Π_j p_{i_j} / (1 - Σ_{l<j} p_{i_l})``. Its first column is exactly
    what ``replace=True`` draws with the same seed.

    Parameters
    ----------
    weights : array_like, optional
        Non-negative finite weights, normalised by their sum; 1-D for one distribution, 2-D for a
        batch (one distribution per row). Give exactly one of ``weights`` and ``logits``.
    n : int
        Draws per distribution, a positive integer.
    logits : array_like, optional
        Log-probabilities up to a constant (any real or ``-inf``), turned into probabilities by a
        stable softmax.
    seed : int, optional
        Non-negative seed. The same seed gives the same draws whatever ``threads`` is; ``None``
        draws fresh entropy from the operating system.
    threads : int, optional
        Worker threads (default: the number of cores).
    counts : bool
        Return per-category counts instead of the draws; the draws are never held in memory, so
        ``n`` may be as large as you like. Without replacement: the count of each category at each
        position (``counts.sum(axis=-1)`` counts the draws that hold each category).
    k : int, optional
        Categories per draw without replacement: ``1 <= k <=`` the number of categories of positive
        probability (of every row). Requires ``replace=False``.
    replace : bool
        True (default): independent draws of one category. False: draws of ``k`` distinct
        categories (requires ``k``).
    temperature : float
        Divide the logits by ``T > 0`` first: ``p ∝ exp(log p / T)``, the temperature of
        language-model decoding (weights enter through their logarithm). 1 changes nothing; T → 0
        concentrates on the most probable category, large T flattens towards uniform.

    Returns
    -------
    numpy.ndarray
        Category indices (int64), shape ``(n,)`` for 1-D input and ``(rows, n)`` for 2-D input; with
        ``counts=True``, shape ``(K,)`` or ``(rows, K)``. Without replacement, a last axis of ``k``:
        ``(n, k)`` or ``(rows, n, k)``, and counts ``(K, k)`` or ``(rows, K, k)``.

    Raises
    ------
    gumbelcli.errors.InputError
        Invalid weights or logits, ``n`` not a positive integer, a negative seed, ``k`` without
        ``replace=False`` (or the reverse), ``k`` above the categories of positive probability, a
        temperature that is not positive and finite.

    Examples
    --------
    >>> import gumbelcli
    >>> gumbelcli.sample([0.0, 1.0, 0.0], n=3, seed=0).tolist()
    [1, 1, 1]
    >>> int(gumbelcli.sample(logits=[0.0, 0.0], n=1000, seed=0, counts=True).sum())
    1000
    >>> draws = gumbelcli.sample([0.1, 0.2, 0.3, 0.4], n=1000, k=2, replace=False, seed=0)
    >>> draws.shape, bool((draws[:, 0] != draws[:, 1]).all())
    ((1000, 2), True)
    >>> (draws[:, 0] == gumbelcli.sample([0.1, 0.2, 0.3, 0.4], n=1000, seed=0)).all()
    np.True_
    >>> gumbelcli.sample(logits=[1.0, 2.0, 3.0], n=5, seed=0, temperature=1e-6).tolist()
    [2, 2, 2, 2, 2]
    """
    import numpy as np

    from .engine import GumbelMaxSampler, TopKSampler, check_k
    from .errors import InputError
    from .inputs import apply_temperature, check_temperature

    target, one_row, workers = _draw_setup(weights, logits, n, seed, threads)
    target = apply_temperature(target, check_temperature(temperature))
    if not isinstance(replace, (bool, np.bool_)):
        raise InputError(f"replace={replace!r} is not True or False")
    if not replace and k is None:
        raise InputError("replace=False needs k, the number of distinct categories per draw (e.g. k=2)")
    if replace and k is not None:
        raise InputError(f"k={k!r} draws k distinct categories per draw and needs replace=False; for more independent draws use n")
    if k is not None:
        sampler: Any = TopKSampler(target, int(n), seed, check_k(target, _api_k(k), option="k"))
    else:
        sampler = GumbelMaxSampler(target, int(n), seed)
    if counts:
        tally = sampler.counts(workers)
        return tally[0] if one_row else tally
    draws = np.concatenate(list(sampler.chunks(sampler.draw_chunk, workers))).astype(np.int64, copy=False)
    if k is not None:  # (n, rows, k)
        return draws[:, 0] if one_row else np.ascontiguousarray(draws.transpose(1, 0, 2))
    return draws[:, 0] if one_row else np.ascontiguousarray(draws.T)


def _api_k(k: Any) -> int:
    import numpy as np

    from .errors import InputError

    if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)) or k < 1:
        raise InputError(f"k={k!r} is not a positive integer")
    return int(k)


def _draw_setup(weights: Any, logits: Any, n: Any, seed: Any, threads: Any) -> tuple[Any, bool, int]:
    """Validate what ``sample`` and ``relax`` share: the target (and whether it was 1-D), n, seed, threads."""
    import numpy as np

    from .errors import InputError
    from .inputs import target_from_logits, target_from_probs

    if (weights is None) == (logits is None):
        raise InputError("give exactly one of weights and logits")
    target = target_from_probs(weights) if logits is None else target_from_logits(logits)
    one_row = np.ndim(weights if logits is None else logits) == 1  # after validation: ragged input raises InputError
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise InputError(f"n={n!r} is not a positive integer")
    return target, one_row, _workers(seed, threads)


def _workers(seed: Any, threads: Any) -> int:
    """Validate ``seed`` and ``threads`` (every API function takes them); the number of workers."""
    import numpy as np

    from .engine import default_threads
    from .errors import InputError

    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise InputError(f"seed={seed!r} is not a non-negative integer")
    if threads is None:
        return default_threads()
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or threads < 1:
        raise InputError(f"threads={threads!r} is not a positive integer")
    return int(threads)


def verify(
    weights: ArrayLike | None = None,
    *,
    logits: ArrayLike | None = None,
    labels: Sequence[str] | None = None,
    samples: ArrayLike | None = None,
    counts: ArrayLike | None = None,
    n: int | None = None,
    seed: int | None = None,
    threads: int | None = None,
    stat: str = "pearson",
    monte_carlo: int | None = None,
    alpha: float = 0.01,
    noise: str = "gumbel",
    theory: bool = False,
    k: int | None = None,
    temperature: float = 1.0,
) -> VerifyResult | TheoryResult:
    """Goodness-of-fit tests: the engine's suite, a target drawn by the engine, anyone's samples, or the theory.

    With no target (neither ``weights`` nor ``logits``): the built-in suite of reference
    distributions, or with ``theory=True`` the properties of the Gumbel-max trick (REFERENCE §6).
    With a target and ``samples`` (or ``counts``): those draws are tested. With a target alone: the
    engine draws ``n`` times and the draws are tested. Every family of tests is Holm-corrected.

    Parameters
    ----------
    weights, logits : array_like, optional
        The target, as in :func:`sample` (at most one of them).
    labels : sequence of str, optional
        Category labels of the target; ``samples`` may then hold labels.
    samples : array_like, optional
        Draws: 0-based indices or labels; shape ``(n,)``, or ``(rows, n)`` for a batch target.
    counts : array_like, optional
        Per-category counts instead of draws: shape ``(K,)`` or ``(rows, K)``.
    n : int, optional
        Draws per distribution made by the engine (default: each case's own, see ``gumbel verify --help``).
    seed : int, optional
        Non-negative root seed (also of Monte Carlo simulations).
    threads : int, optional
        Worker threads of the engine (default: the number of cores); results do not depend on it.
    stat : str
        "pearson", "g", "freeman-tukey", "neyman" or "cressie-read".
    monte_carlo : int, optional
        Simulated tables for a Monte Carlo p-value (valid for any expected counts).
    alpha : float
        Family-wise significance level.
    noise : str
        "gumbel", or "gaussian" for the counter-example the tests must reject.
    theory : bool
        Check the theory instead of a distribution.
    k : int, optional
        Test draws of ``k`` distinct categories without replacement: ``samples`` of shape ``(n, k)``
        (``(rows, n, k)`` for a batch), or the engine's own (Gumbel-top-k), against the exact
        Plackett–Luce law (see ``gumbel verify --help``).
    temperature : float
        Test against ``softmax(log p / T)`` (as :func:`sample` draws with this temperature).

    Returns
    -------
    VerifyResult or TheoryResult
        ``.rejected`` is True when the verdict rejects (``gumbel verify`` exits 1); ``.to_dict()``
        gives every figure.

    Raises
    ------
    gumbelcli.errors.InputError
        On invalid targets, samples or options.

    Examples
    --------
    >>> import gumbelcli
    >>> gumbelcli.verify([0.2, 0.8], samples=[0, 1, 1, 1, 1] * 200).verdict
    'pass'
    >>> gumbelcli.verify([0.5, 0.5], n=100_000, seed=1).rejected
    False
    """
    import numpy as np

    from . import verification as core
    from .engine import check_k
    from .errors import InputError
    from .inputs import apply_temperature, check_temperature, target_from_logits, target_from_probs
    from .stats import STAT_LAMBDAS

    if weights is not None and logits is not None:
        raise InputError("give at most one of weights and logits")
    if stat not in STAT_LAMBDAS:
        raise InputError(f"stat={stat!r} is not known; it accepts {', '.join(STAT_LAMBDAS)}")
    if not 0.0 < alpha < 1.0:
        raise InputError(f"alpha={alpha!r} is outside (0, 1)")
    for name, value in (("n", n), ("monte_carlo", monte_carlo)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1):
            raise InputError(f"{name}={value!r} is not a positive integer")
    workers = _workers(seed, threads)
    has_target = weights is not None or logits is not None
    tempered = check_temperature(temperature)
    core.check_topk_options(
        k=None if k is None else _api_k(k),
        temperature=None if tempered == 1.0 else tempered,
        has_target=has_target,
        theory=theory,
        counts=counts is not None,
    )
    core.check_options(
        has_target=has_target,
        samples=None if samples is None and counts is None else "array",
        file=None,
        counts=False,
        n=n,
        noise=noise,
        theory=theory,
        labels=None if labels is None else "labels",
        logits=False,
    )
    options = dict(seed=seed, stat=stat, alpha=alpha, monte_carlo=monte_carlo)
    if theory:
        return core.run_theory(n=n, noise=noise, **options)
    if not has_target:
        return core.run_suite(n=n, threads=workers, noise=noise, **options)
    target = target_from_probs(weights, labels) if logits is None else target_from_logits(logits, labels)
    target = apply_temperature(target, tempered)
    temperature_noted = None if tempered == 1.0 else tempered
    if samples is not None and counts is not None:
        raise InputError("give at most one of samples and counts")
    if k is not None:
        per_draw = check_k(target, _api_k(k), option="k")
        if samples is None:
            return core.verify_topk_engine(
                target, per_draw, n=n, threads=workers, noise=noise, temperature=temperature_noted, **options
            )
        draws = np.asarray(samples)
        rows = target.rows
        if draws.ndim != (2 if rows == 1 else 3) or draws.shape[-1] != per_draw or (rows > 1 and draws.shape[0] != rows):
            expected = f"(n, {per_draw})" if rows == 1 else f"({rows}, n, {per_draw})"
            raise InputError(f"samples of shape {draws.shape} are not draws of k={per_draw} categories: give shape {expected}")
        mapped = core.map_draws(draws.reshape(rows, -1), target).reshape(rows, -1, per_draw)
        return core.verify_topk_draws(target, mapped, source="samples", temperature=temperature_noted, **options)
    options["temperature"] = temperature_noted
    if samples is not None:
        return core.verify_counts(target, core.draws_to_counts(samples, target), source="samples", **options)
    if counts is not None:
        table = np.asarray(counts)
        if table.dtype.kind not in "iu" or table.size != target.rows * target.n_categories or (table < 0).any():
            shape = f"({target.n_categories},) per row"
            raise InputError(f"counts must be non-negative integers, one per category: shape {shape}")
        return core.verify_counts(target, table.reshape(target.rows, -1), source="counts", **options)
    return core.verify_engine(target, n=n, threads=workers, noise=noise, **options)


def relax(
    weights: ArrayLike | None = None,
    n: int = 1,
    *,
    logits: ArrayLike | None = None,
    tau: float | Sequence[float],
    seed: int | None = None,
    threads: int | None = None,
    hard: bool = False,
    log: bool = False,
    log_prob: bool = False,
    noise: bool = True,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Draw relaxed (Gumbel-Softmax / Concrete) samples ``y = softmax((log p + G) / τ)``.

    Computed in log space, with the noise of :func:`sample`: for the same ``seed``,
    ``argmax(y)`` (and ``hard=True``) gives exactly the draws of :func:`sample`, and every τ of a
    sequence uses the same noise. Categories of probability 0 get ``y = 0`` (``log y = -inf``).

    Parameters
    ----------
    weights, logits : array_like
        The distribution(s), exactly one of them, as in :func:`sample`: 1-D, or 2-D for a batch.
    n : int
        Samples per distribution.
    tau : float or sequence of float
        The temperature(s), positive and finite. A sequence adds a temperature axis.
    seed, threads
        As in :func:`sample`; the result does not depend on ``threads``.
    hard : bool
        One-hot vectors of the argmax (the straight-through forward value).
    log : bool
        Return ``log y`` (ExpConcrete samples), finite where ``y`` underflows.
    log_prob : bool
        Also return each sample's log-density (REFERENCE §5): ExpConcrete with ``log``, else Concrete.
    noise : bool
        False returns the deterministic ``softmax(log p / τ)`` for every sample, for comparison.

    Returns
    -------
    numpy.ndarray or tuple of numpy.ndarray
        float64 samples of shape ``(n, K)``; ``(n, T, K)`` when ``tau`` is a sequence; a leading
        ``rows`` axis for 2-D input. With ``log_prob``, ``(samples, log_prob)`` where ``log_prob``
        has the samples' shape without the last axis.

    Raises
    ------
    gumbelcli.errors.InputError
        Invalid weights, logits or τ, bad n/seed/threads, ``hard`` with ``log`` or ``log_prob``.

    Examples
    --------
    >>> import gumbelcli
    >>> y = gumbelcli.relax([0.2, 0.3, 0.5], n=4, tau=0.5, seed=0)
    >>> y.shape, bool(abs(y.sum(axis=1) - 1).max() < 1e-12)
    ((4, 3), True)
    >>> (gumbelcli.relax([0.2, 0.8], n=5, tau=1, seed=3, hard=True).argmax(axis=1)
    ...  == gumbelcli.sample([0.2, 0.8], n=5, seed=3)).all()
    np.True_
    """
    import numpy as np

    from .engine import RelaxSampler
    from .relaxation import check_relax_options, check_taus

    target, one_row, workers = _draw_setup(weights, logits, n, seed, threads)
    taus, scalar = check_taus(tau)
    check_relax_options(hard=hard, log=log, log_prob=log_prob)
    sampler = RelaxSampler(target, int(n), seed, taus, hard=hard, noise=noise, log=log, log_prob=log_prob)
    per_row: list[list[np.ndarray]] = [[] for _ in range(target.rows)]
    for chunk in sampler.tasks(workers):
        per_row[chunk.row].append(chunk.values)
    values = np.stack([np.concatenate(parts) for parts in per_row])  # (rows, n, T, width)
    if scalar:
        values = values[:, :, 0]
    if one_row:
        values = values[0]
    k = target.n_categories
    samples = np.ascontiguousarray(values[..., :k])
    return (samples, np.ascontiguousarray(values[..., k])) if log_prob else samples
