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

__all__ = ["__version__", "sample"]


def sample(
    weights: ArrayLike | None = None,
    n: int = 1,
    *,
    logits: ArrayLike | None = None,
    seed: int | None = None,
    threads: int | None = None,
    counts: bool = False,
) -> np.ndarray:
    """Draw from categorical distributions with the Gumbel-max trick (exponential race, float64).

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
        ``n`` may be as large as you like.

    Returns
    -------
    numpy.ndarray
        Category indices (int64), shape ``(n,)`` for 1-D input and ``(rows, n)`` for 2-D input; with
        ``counts=True``, shape ``(K,)`` or ``(rows, K)``.

    Raises
    ------
    gumbelcli.errors.InputError
        Invalid weights or logits, ``n`` not a positive integer, a negative seed.

    Examples
    --------
    >>> import gumbelcli
    >>> gumbelcli.sample([0.0, 1.0, 0.0], n=3, seed=0).tolist()
    [1, 1, 1]
    >>> int(gumbelcli.sample(logits=[0.0, 0.0], n=1000, seed=0, counts=True).sum())
    1000
    """
    import numpy as np

    from .engine import GumbelMaxSampler, default_threads
    from .errors import InputError
    from .inputs import target_from_logits, target_from_probs

    if (weights is None) == (logits is None):
        raise InputError("give exactly one of weights and logits")
    one_row = np.ndim(weights if logits is None else logits) == 1
    target = target_from_probs(weights) if logits is None else target_from_logits(logits)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise InputError(f"n={n!r} is not a positive integer")
    if seed is not None and (not isinstance(seed, (int, np.integer)) or seed < 0):
        raise InputError(f"seed={seed!r} is not a non-negative integer")
    workers = default_threads() if threads is None else int(threads)
    if workers < 1:
        raise InputError(f"threads={threads!r} is below 1")
    sampler = GumbelMaxSampler(target, int(n), seed)
    if counts:
        tally = sampler.counts(workers)
        return tally[0] if one_row else tally
    draws = np.concatenate(list(sampler.chunks(sampler.draw_chunk, workers))).astype(np.int64, copy=False)
    return draws[:, 0] if one_row else np.ascontiguousarray(draws.T)
