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

#: Below this many categories the noise is laid out category-major, ``(K, m)``, and reduced with
#: the index-in-the-low-bits trick of :func:`_race_category_major`: ``argmin(axis=1)`` over a short
#: axis pays a per-row overhead that dominates for small K (measured in benchmarks/bench_sample.py).
SMALL_K = 16
_INDEX_BITS = 4  # enough for SMALL_K - 1 categories
_INDEX_MASK = (1 << _INDEX_BITS) - 1


class Workspace:
    """Scratch buffers reused from one block to the next by one thread.

    A fresh array of a few hundred kB is a fresh ``mmap`` whose pages fault in on first touch;
    reusing the buffers removes that cost (about a third of the run time at K = 100000).
    """

    def __init__(self) -> None:
        self._buffers: dict[str, np.ndarray] = {}

    def get(self, name: str, shape: tuple[int, ...], dtype: type = np.float64) -> np.ndarray:
        """A C-contiguous array of ``shape`` (contents undefined), backed by a reused buffer."""
        size = int(np.prod(shape))
        buf = self._buffers.get(name)
        if buf is None or buf.size < size or buf.dtype != dtype:
            buf = self._buffers[name] = np.empty(size, dtype=dtype)
        return buf[:size].reshape(shape)


def exponential_noise(rng: np.random.Generator, m: int, k: int, work: Workspace | None = None) -> np.ndarray:
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
    work : Workspace, optional
        Reuse its buffer instead of allocating; the result is then overwritten by the next call
        with the same workspace. The values are the same either way.

    Returns
    -------
    numpy.ndarray
        Shape ``(m, k)``, float64; element ``[j, i]`` is the noise of category ``i`` in draw ``j``.
    """
    shape = (k, m) if k < SMALL_K else (m, k)
    if work is None:
        noise = rng.standard_exponential(shape)
    else:
        noise = rng.standard_exponential(out=work.get("noise", shape))
    return noise.T if k < SMALL_K else noise


def gumbel_max(
    rng: np.random.Generator, inv_weights: np.ndarray, m: int, work: Workspace | None = None
) -> np.ndarray:
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
    work : Workspace, optional
        Scratch buffers to reuse (faster for repeated calls; same result).

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
    noise = exponential_noise(rng, m, k, work)
    if k < SMALL_K:
        return _race_category_major(noise.T, inv_weights)
    np.multiply(noise, inv_weights, out=noise)
    return noise.argmin(axis=1)


def _race_category_major(noise: np.ndarray, inv_weights: np.ndarray) -> np.ndarray:
    """``argmin`` over axis 0 of a C-contiguous ``(k, m)`` block, k < 16, overwriting the block.

    Non-negative float64 values order like their bit patterns read as int64. The scaled noise
    ``E_i / w_i`` gets category ``i`` written into the lowest 4 of its 52 mantissa bits; one
    vectorized ``minimum.reduce`` over the int64 view then yields the minimum *and* its category.
    Clearing those bits moves a value by less than 2**-48 of itself, so a draw's probability
    changes by less than 1e-14 of itself — far below what any test could resolve — while a running
    comparison over the K rows costs about a third more time (benchmarks/bench_sample.py).
    """
    k, m = noise.shape
    np.multiply(noise, inv_weights[:, None], out=noise)
    bits = noise.view(np.int64)
    np.bitwise_and(bits, ~_INDEX_MASK, out=bits)
    np.bitwise_or(bits, np.arange(k, dtype=np.int64)[:, None], out=bits)
    smallest = np.minimum.reduce(bits, axis=0)
    return np.bitwise_and(smallest, _INDEX_MASK).astype(np.intp)
