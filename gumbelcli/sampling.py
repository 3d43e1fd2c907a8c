"""Pure NumPy kernels of the Gumbel-max family.

Every function takes a :class:`numpy.random.Generator` and returns arrays; nothing here does I/O,
chunking or threading (that is ``engine.py``).

The categorical kernel is the *exponential race* (REFERENCE §2): ``argmin_i E_i / w_i`` with
``E_i ~ Exp(1)`` is the same draw as ``argmax_i (log w_i + G_i)`` with ``G_i = -log E_i``, without a
single logarithm. Noise is float64 (REFERENCE §3: float32 noise never reaches categories of
probability below ~1e-7).
"""

from __future__ import annotations

import numpy as np

#: Below this many categories the noise is laid out category-major, ``(K, m)``, and reduced with a
#: running comparison over K contiguous rows: ``argmin(axis=1)`` over a short axis pays a per-row
#: overhead that dominates for small K (measured in benchmarks/bench_sample.py).
SMALL_K = 16


def exponential_noise(rng: np.random.Generator, m: int, k: int) -> np.ndarray:
    """Draw ``m × k`` standard exponential variates in float64.

    The variates are generated in the layout the Gumbel-max kernel reduces fastest for this ``k``
    (category-major below :data:`SMALL_K`), and returned as an ``(m, k)`` view, so every kernel that
    shares a seed (``gumbel_max``, ``relax``, ``top_k``) sees the *same* noise for the same draw.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    m, k : int
        Number of draws and number of categories.

    Returns
    -------
    numpy.ndarray
        Shape ``(m, k)``, float64; element ``[j, i]`` is the noise of category ``i`` in draw ``j``.
    """
    if k < SMALL_K:
        return rng.standard_exponential((k, m)).T
    return rng.standard_exponential((m, k))


def gumbel_max(rng: np.random.Generator, inv_weights: np.ndarray, m: int) -> np.ndarray:
    """Draw ``m`` categorical samples with the exponential race.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    inv_weights : numpy.ndarray
        ``1 / w_i`` for the K categories of the support: finite and positive (the caller removes
        zero-weight categories, so a zero weight can never win through ``0 · inf = nan``).
    m : int
        Number of draws.

    Returns
    -------
    numpy.ndarray
        ``m`` indices into ``inv_weights`` (dtype ``intp``), each ``argmin_i E_i / w_i``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> idx = gumbel_max(rng, 1 / np.array([0.25, 0.75]), 5)
    >>> idx.shape, bool(idx.max() <= 1)
    ((5,), True)
    """
    k = inv_weights.shape[0]
    if k == 1:
        return np.zeros(m, dtype=np.intp)
    noise = exponential_noise(rng, m, k)
    if k < SMALL_K:
        return _race_category_major(noise.T, inv_weights)
    np.multiply(noise, inv_weights, out=noise)
    return noise.argmin(axis=1)


def _race_category_major(noise: np.ndarray, inv_weights: np.ndarray) -> np.ndarray:
    """``argmin`` over axis 0 of a C-contiguous ``(k, m)`` block, as a running minimum over its rows."""
    k, m = noise.shape
    best = noise[0] * inv_weights[0]
    winner = np.zeros(m, dtype=np.intp)
    scaled = np.empty(m)
    smaller = np.empty(m, dtype=bool)
    for i in range(1, k):
        np.multiply(noise[i], inv_weights[i], out=scaled)
        np.less(scaled, best, out=smaller)
        np.copyto(winner, i, where=smaller)
        np.minimum(best, scaled, out=best)
    return winner
