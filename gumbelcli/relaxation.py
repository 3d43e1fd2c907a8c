"""The relaxed (Concrete / Gumbel-Softmax) distribution: temperatures, densities and the report.

The sampling kernel is :func:`gumbelcli.sampling.relax` and its chunked, seeded, threaded driver
:class:`gumbelcli.engine.RelaxSampler`, beside their Gumbel-max twins. What belongs to the relaxed
distribution itself lives here: validating temperatures, the densities of REFERENCE §5, the options
that go together, and turning the sampler's running sums into the report of ``gumbel relax``.
Nothing here prints; SciPy is imported inside functions only (through :mod:`gumbelcli.stats`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from .errors import InputError
from .results import RelaxResult, RelaxRowReport, RelaxTauSummary

if TYPE_CHECKING:
    from .engine import RelaxChunk
    from .inputs import Target

__all__ = [
    "RelaxTally",
    "check_relax_options",
    "check_taus",
    "concrete_log_density",
    "expconcrete_log_density",
    "parse_taus",
    "relax_report",
]

_TAU_ACCEPTED = "--tau accepts positive finite temperatures, comma-separated, such as 0.5 or 0.1,0.5,1,5"


# --------------------------------------------------------------------------------------------
# temperatures


#: The smallest temperature accepted. Long before it every relaxed sample is a vertex of the
#: simplex (what --hard writes); near 1e-307, z/τ and the log-density's Σ z/τ overflow float64 and
#: would give NumPy warnings and NaN.
TAU_MIN = 1e-100


def _tau_problem(value: float) -> str:
    """Why a parsed temperature is refused, or "" when it is fine."""
    if math.isnan(value):
        return "is not a number (NaN)"
    if math.isinf(value):
        return "is infinite"
    if value == 0:
        return "is not positive (τ → 0 is the one-hot argmax: --hard writes it)"
    if value < 0:
        return "is not positive"
    if value < TAU_MIN:
        return f"is below {TAU_MIN:g}, the smallest τ accepted (far above it every sample is one-hot: --hard writes it)"
    return ""


def parse_taus(text: str, *, option: str = "--tau") -> tuple[float, ...]:
    """Parse ``--tau``: one temperature or a comma-separated list, each positive and finite.

    Parameters
    ----------
    text : str
        The option's value, e.g. ``"0.5"`` or ``"0.1,0.5,1,5"``. Surrounding spaces are ignored
        (the CLI protects a negative value such as ``-1`` with a leading space).
    option : str
        The option's name, for messages.

    Returns
    -------
    tuple of float
        The temperatures in the order given.

    Raises
    ------
    InputError
        On an empty item, a token that is not a number, or a value that is 0, negative, NaN or
        infinite (also one that overflows, such as ``1e400``); the message names the token and
        its position in the list.

    Examples
    --------
    >>> parse_taus("0.1, 1,10")
    (0.1, 1.0, 10.0)
    """
    raw = str(text).strip()
    if not raw:
        raise InputError(f"{option} is empty; {_TAU_ACCEPTED}")
    tokens = raw.split(",")
    taus: list[float] = []
    for position, item in enumerate(tokens, 1):
        token = item.strip()
        where = f"{option} {raw!r}" if len(tokens) == 1 else f"{option} {raw!r}: item {position}"
        if not token:
            raise InputError(f"{where} is empty; {_TAU_ACCEPTED}")
        shown = "" if len(tokens) == 1 else f" {token!r}"
        try:
            value = float(token)
        except ValueError:
            raise InputError(f"{where}{shown} is not a number; {_TAU_ACCEPTED}") from None
        problem = _tau_problem(value)
        if problem and math.isinf(value) and "inf" not in token.lower():
            problem = "overflows to infinity"
        if problem:
            raise InputError(f"{where}{shown} {problem}; {_TAU_ACCEPTED}")
        taus.append(value)
    return tuple(taus)


def check_taus(tau: float | ArrayLike) -> tuple[np.ndarray, bool]:
    """Validate the ``tau`` of the Python API: a number, or a 1-D sequence of numbers.

    Returns
    -------
    tuple
        The temperatures as a float64 array of shape ``(T,)``, and whether ``tau`` was a scalar
        (then the results have no temperature axis).

    Raises
    ------
    InputError
        On an empty or multi-dimensional ``tau``, a non-number, or a value ≤ 0, NaN or infinite.

    Examples
    --------
    >>> check_taus(0.5)
    (array([0.5]), True)
    """
    try:
        arr = np.asarray(tau, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"tau={tau!r} is not a number or a sequence of numbers") from None
    scalar = arr.ndim == 0
    flat = arr.reshape(-1)
    if arr.ndim > 1 or flat.size == 0:
        raise InputError(f"tau must be a positive number or a non-empty 1-D sequence of them, got {tau!r}")
    for i, value in enumerate(flat):
        problem = _tau_problem(float(value))
        if problem:
            where = "tau" if scalar else f"tau[{i}]"
            raise InputError(f"{where} = {float(value)!r} {problem.split(' (')[0]}; tau must be finite and at least {TAU_MIN:g}")
    return flat, scalar


def check_relax_options(*, hard: bool, log: bool, log_prob: bool) -> None:
    """Refuse the combinations that mean nothing, saying what to do instead.

    Raises
    ------
    InputError
        ``hard`` with ``log`` (the log of a one-hot vector is 0 and -inf) or with ``log_prob``
        (a vertex of the simplex has no density under the relaxed distribution).
    """
    if hard and log:
        raise InputError("--hard writes one-hot vectors, whose log is only 0 and -inf; drop --log or --hard")
    if hard and log_prob:
        raise InputError(
            "--hard writes one-hot vectors, which have no density under the relaxed distribution; "
            "drop --log-prob or --hard"
        )


# --------------------------------------------------------------------------------------------
# densities (REFERENCE §5)


def expconcrete_log_density(log_x: ArrayLike, logits: ArrayLike, tau: float) -> np.ndarray:
    """Log-density of the ExpConcrete distribution at ``log_x`` (Maddison et al. 2017).

    ``log p(y) = log Γ(K) + (K-1) log τ + Σ_k (l_k - τ y_k) - K · lse_j(l_j - τ y_j)``, evaluated
    with the largest ``l_j - τ y_j`` taken out of every term, so that nothing cancels: it stays
    accurate for τ down to 1e-3 and logits spread over ±1e4.

    Parameters
    ----------
    log_x : array_like
        Points ``y = log x`` with ``x`` on the simplex, shape ``(..., K)``; finite.
    logits : array_like
        ``l_k = log α_k`` of the K categories of the support (finite; leave out categories of
        probability 0), broadcastable against ``log_x``. Only differences matter.
    tau : float
        The temperature, positive and finite.

    Returns
    -------
    numpy.ndarray
        Shape ``log_x.shape[:-1]``.

    Examples
    --------
    >>> float(expconcrete_log_density(np.log([0.5, 0.5]), [0.0, 0.0], 1.0))  # -2 log 2
    -1.3862943611198906
    """
    (tau_value,), _ = check_taus(tau)
    y = np.asarray(log_x, dtype=np.float64)
    k = y.shape[-1]
    a = np.asarray(logits, dtype=np.float64) - tau_value * y
    shifted = a - a.max(axis=-1, keepdims=True)
    return (
        math.lgamma(k)
        + (k - 1) * math.log(tau_value)
        + shifted.sum(axis=-1)
        - k * np.log(np.exp(shifted).sum(axis=-1))
    )


def concrete_log_density(x: ArrayLike, logits: ArrayLike, tau: float) -> np.ndarray:
    """Log-density of the Concrete (Gumbel-Softmax) distribution at ``x`` on the simplex.

    ``p(x) = (K-1)! τ^(K-1) Π_k [α_k x_k^(-τ-1) / Σ_i α_i x_i^(-τ)]``, the density of the first
    K - 1 coordinates, computed as ``log p_ExpConcrete(log x) - Σ_k log x_k`` (REFERENCE §5).

    Parameters
    ----------
    x : array_like
        Points of the open simplex (positive coordinates summing to 1), shape ``(..., K)``.
    logits : array_like
        As in :func:`expconcrete_log_density`.
    tau : float
        The temperature, positive and finite.

    Returns
    -------
    numpy.ndarray
        Shape ``x.shape[:-1]``.

    Examples
    --------
    >>> round(float(concrete_log_density([0.3, 0.7], [0.0, 0.0], 1.0)), 12)  # K = 2, τ = 1, α1 = α2: uniform
    0.0
    """
    log_x = np.log(np.asarray(x, dtype=np.float64))
    return expconcrete_log_density(log_x, logits, tau) - log_x.sum(axis=-1)


# --------------------------------------------------------------------------------------------
# the report


class RelaxTally:
    """Adds up the per-chunk argmax counts and sums of a :class:`~gumbelcli.engine.RelaxSampler`.

    Parameters
    ----------
    rows, k, n_taus : int
        Distributions in the batch, categories, temperatures.
    """

    def __init__(self, rows: int, k: int, n_taus: int) -> None:
        self.counts = np.zeros((rows, k), dtype=np.int64)
        self.sums = np.zeros((rows, n_taus, 3))

    def add(self, chunk: RelaxChunk) -> None:
        """Count one chunk (it must carry its summary: ``RelaxSampler(..., summary=True)``)."""
        self.counts[chunk.row] += chunk.counts
        self.sums[chunk.row] += chunk.sums


def relax_report(
    target: Target,
    tally: RelaxTally,
    *,
    taus: Sequence[float],
    seed: int,
    alpha: float,
    hard: bool = False,
    noise: bool = True,
    log: bool = False,
) -> RelaxResult:
    """The report of ``gumbel relax``: per distribution and τ, the means and the argmax test.

    Parameters
    ----------
    target : Target
        The distributions the samples were drawn from.
    tally : RelaxTally
        The counts and sums of all chunks.
    taus : sequence of float
        The temperatures, in the order of the sums.
    seed : int
        The root seed that was used.
    alpha : float
        Significance level of each chi-square test's verdict.
    hard, noise, log : bool
        How the samples were made and written (for the report's wording).

    Returns
    -------
    RelaxResult
    """
    from .stats import gof_test

    labels = target.display_labels
    n = int(tally.counts[0].sum())
    rows = []
    for r in range(target.rows):
        name = f"row {r + 1}" if target.rows > 1 else ""
        test = gof_test(tally.counts[r], target.probs[r], labels, alpha=alpha, name=name)
        means = tally.sums[r] / max(n, 1)
        summaries = tuple(
            RelaxTauSummary(
                tau=float(tau),
                mean_max=float(means[t, 0]),
                mean_entropy=float(means[t, 1]),
                mean_vertex_distance=float(means[t, 2]),
                argmax=test,
            )
            for t, tau in enumerate(taus)
        )
        rows.append(RelaxRowReport(name=name, taus=summaries))
    return RelaxResult(n=n, seed=seed, hard=hard, noise=noise, log=log, rows=tuple(rows))
