"""Pure NumPy kernels of the Gumbel-max family.

Every function takes a :class:`numpy.random.Generator` and returns arrays; nothing here does I/O,
chunking or threading (that is ``engine.py``).

The categorical kernel is the *exponential race* (REFERENCE §2): ``argmin_i E_i / w_i`` with
``E_i ~ Exp(1)`` is the same draw as ``argmax_i (log w_i + G_i)`` with ``G_i = -log E_i``, without a
single logarithm. Noise is float64 (REFERENCE §3: float32 noise never reaches categories of
probability below ~1e-7).
"""

from __future__ import annotations

import math

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
    shares a seed (``gumbel_max``, ``relax``, ``gumbel_topk``) sees the *same* noise for the same draw.

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
    return race(exponential_noise(rng, m, k, work), inv_weights)


def race(noise: np.ndarray, inv_weights: np.ndarray) -> np.ndarray:
    """The winner ``argmin_i E_i / w_i`` of each draw of ``noise``, **overwriting** ``noise``.

    Parameters
    ----------
    noise : numpy.ndarray
        ``(m, k)`` exponential variates as :func:`exponential_noise` returns them (its layout).
    inv_weights : numpy.ndarray
        ``1 / w_i`` for the k categories, finite and positive.

    Returns
    -------
    numpy.ndarray
        ``m`` indices into ``inv_weights`` (dtype ``intp``): the draws :func:`gumbel_max` makes
        from this noise (``relax --hard`` uses it to be exactly ``gumbel sample``).
    """
    if inv_weights.shape[0] < SMALL_K:
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


#: :func:`smallest_k` first keeps the ``k`` of ``B = K / L`` strided blocks with the smallest minima
#: (:func:`_topk_blocks`) when ``B`` is at least this many times ``k``; below, ``argpartition``
#: searches the whole row.
_TOPK_MIN_BLOCKS_PER_K = 4
#: Keys (draws × categories) :func:`gumbel_topk` orders at once in log space, for rows with extras.
BLOCK_ROWS_VARIATES = 1 << 16


def gumbel_topk(
    rng: np.random.Generator,
    inv_weights: np.ndarray,
    m: int,
    k: int,
    work: Workspace | None = None,
    *,
    extra_log_probs: np.ndarray | None = None,
    extra_rng: np.random.Generator | None = None,
) -> np.ndarray:
    """Draw ``m`` ordered samples of ``k`` distinct categories with the Gumbel-top-k trick.

    One pass of the noise of :func:`gumbel_max` (the exponential race: the categories sorted by
    ``E_i / w_i`` arrive in the order of a Plackett–Luce sample, REFERENCE §6.7), then a partial
    sort: only the ``k`` smallest race values of a draw are found and ordered, never the whole row.
    Column 0 is exactly the draw :func:`gumbel_max` makes from the same ``rng``.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness; it is advanced exactly as :func:`gumbel_max` advances it.
    inv_weights : numpy.ndarray
        ``1 / w_i`` for the K categories of the race, finite and positive.
    m : int
        Number of draws.
    k : int
        Categories per draw, ``1 <= k <= K`` (``K + len(extra_log_probs)`` with extras).
    work : Workspace, optional
        Scratch buffers to reuse (same result).
    extra_log_probs : numpy.ndarray, optional
        Log-probabilities (finite, on the scale of ``-log inv_weights``) of categories too
        improbable for the race's double-precision weights (probability below ~1e-306, e.g. after
        a small temperature). They never come first in practice, but a draw of k distinct
        categories may have to reach them. Their noise comes from ``extra_rng``, and the whole row
        is then ordered in log space (``log E_i - log w_i``), which keeps the race's order.
    extra_rng : numpy.random.Generator, optional
        Stream of the extra categories' noise (required with ``extra_log_probs``).

    Returns
    -------
    numpy.ndarray
        Shape ``(m, k)``, dtype ``intp``: indices into ``inv_weights`` (then into the extras,
        numbered from K on), best first. The k indices of a row are distinct.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> draws = gumbel_topk(rng, 1 / np.array([0.1, 0.2, 0.3, 0.4]), 5, 2)
    >>> draws.shape, bool((draws[:, 0] != draws[:, 1]).all())
    ((5, 2), True)
    >>> bool((gumbel_topk(np.random.default_rng(3), 1 / np.array([0.2, 0.8]), 6, 1)[:, 0]
    ...       == gumbel_max(np.random.default_rng(3), 1 / np.array([0.2, 0.8]), 6)).all())
    True
    """
    n_race = inv_weights.shape[0]
    if extra_log_probs is not None and len(extra_log_probs):
        if extra_rng is None:
            raise ValueError("extra_log_probs needs extra_rng")
        return _topk_log_space(rng, inv_weights, m, k, work, extra_log_probs, extra_rng)
    if not 1 <= k <= n_race:
        raise ValueError(f"k = {k} is not between 1 and the {n_race} categories")
    if n_race == 1:  # as gumbel_max: no noise is drawn
        return np.zeros((m, 1), dtype=np.intp)
    noise = exponential_noise(rng, m, n_race, work)
    if k == 1:
        return race(noise, inv_weights)[:, None]
    if n_race < SMALL_K:
        return _topk_category_major(noise.T, inv_weights, k)
    np.multiply(noise, inv_weights, out=noise)
    return smallest_k(noise, k)


def _topk_category_major(noise: np.ndarray, inv_weights: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` smallest of each column of a ``(K, m)`` block, K < 16, in order, overwriting it.

    The race values carry their category in the low bits, as in :func:`_race_category_major`, so
    the first of them is exactly that function's winner, and sorting the int64 keys sorts the
    categories. For a few of them, ``k`` rounds each take the column minima (one vectorized pass
    over K short rows) and overwrite each minimum with the largest int64; for more, the rows of the
    transposed block are sorted, which costs about the same at any k.
    """
    n_race, m = noise.shape
    np.multiply(noise, inv_weights[:, None], out=noise)
    bits = noise.view(np.int64)
    np.bitwise_and(bits, ~_INDEX_MASK, out=bits)
    np.bitwise_or(bits, np.arange(n_race, dtype=np.int64)[:, None], out=bits)
    if k > 3:
        ordered = np.sort(bits.T, axis=1)[:, :k]  # a C-ordered copy, sorted row by row
        return np.bitwise_and(ordered, _INDEX_MASK).astype(np.intp)
    out = np.empty((m, k), dtype=np.intp)
    flat = bits.reshape(-1)
    columns = np.arange(m)
    for j in range(k):
        smallest = np.minimum.reduce(bits, axis=0)
        winner = np.bitwise_and(smallest, _INDEX_MASK)
        out[:, j] = winner
        if j + 1 < k:
            flat[winner * m + columns] = np.iinfo(np.int64).max
    return out


def smallest_k(keys: np.ndarray, k: int) -> np.ndarray:
    """Column indices of the ``k`` smallest values of each row of ``keys`` (m, K), in increasing order.

    A partial sort: the k smallest are found by :func:`_topk_blocks` (long rows) or
    ``argpartition`` (short rows), and only those k are sorted. Which of several exactly equal
    values is kept is unspecified (ties have probability zero for continuous noise).
    """
    keys = np.ascontiguousarray(keys)
    m, n_race = keys.shape
    if k >= n_race:
        return np.argsort(keys, axis=1, kind="stable")[:, :k]
    length = min(128, max(16, math.isqrt(n_race // k)))
    if n_race // length >= _TOPK_MIN_BLOCKS_PER_K * k:
        candidates = _topk_blocks(keys, k, length)
    else:
        candidates = np.argpartition(keys, k - 1, axis=1)[:, :k]
    flat = keys.reshape(-1)
    offsets = (np.arange(m) * n_race)[:, None]
    values = flat[candidates + offsets]
    order = np.lexsort((candidates, values), axis=1) if m else candidates
    return np.take_along_axis(candidates, order, axis=1)


def _topk_blocks(keys: np.ndarray, k: int, length: int) -> np.ndarray:
    """Indices of the ``k`` smallest values of each row of ``keys`` (C-contiguous; unordered), through strided blocks.

    The first ``B·L`` values of a row, seen as an ``(L, B)`` array, form B strided blocks of L
    values whose minima come from one vectorized ``minimum.reduce`` (the cost of an ``argmin``).
    Every one of the k smallest values of the row lies in one of the k blocks with the smallest
    minima (any value below the k-th smallest minimum is in such a block), or in the < L values
    after ``B·L``: a partial sort then runs on those ``k·L + (K - B·L)`` candidates only.
    """
    m, n_race = keys.shape
    blocks = n_race // length
    body = keys[:, : blocks * length].reshape(m, length, blocks)
    minima = np.minimum.reduce(body, axis=1)  # (m, B)
    chosen = np.argpartition(minima, k - 1, axis=1)[:, :k]  # (m, k) block numbers
    candidates = (chosen[:, :, None] + blocks * np.arange(length)).reshape(m, k * length)
    if blocks * length < n_race:  # the tail after B·L: always a candidate
        tail = np.broadcast_to(np.arange(blocks * length, n_race), (m, n_race - blocks * length))
        candidates = np.concatenate([candidates, tail], axis=1)
    flat = keys.reshape(-1)
    offsets = (np.arange(m) * n_race)[:, None]
    values = flat[candidates + offsets]
    best = np.argpartition(values, k - 1, axis=1)[:, :k]
    return np.take_along_axis(candidates, best, axis=1)


def _topk_log_space(
    rng: np.random.Generator,
    inv_weights: np.ndarray,
    m: int,
    k: int,
    work: Workspace | None,
    extra_log_probs: np.ndarray,
    extra_rng: np.random.Generator,
) -> np.ndarray:
    """:func:`gumbel_topk` for a row with extra categories: keys ``log E_i - log w_i`` for all of them.

    The race's keys are ``log(E_i / w_i)``, the logarithm of its own values, so their order is the
    race's order. The race's noise is drawn for all ``m`` draws at once, as :func:`gumbel_max`
    draws it; the extras' noise, and the selection, go in slices of draws that hold about
    :data:`BLOCK_ROWS_VARIATES` keys, so memory stays bounded however many extras there are.
    """
    n_race, n_extra = inv_weights.shape[0], len(extra_log_probs)
    width = n_race + n_extra
    if not 1 <= k <= width:
        raise ValueError(f"k = {k} is not between 1 and the {width} categories")
    out = np.empty((m, k), dtype=np.intp)
    step = max(1, BLOCK_ROWS_VARIATES // width)
    keys = np.empty((min(step, m), width))
    extra = np.empty((min(step, m), n_extra))
    with np.errstate(divide="ignore"):  # a variate of exactly 0 gives -inf: it wins, as in the race
        race_values = exponential_noise(rng, m, n_race, work) * inv_weights  # a copy, (m, K), C order
        np.log(race_values, out=race_values)
        for start in range(0, m, step):
            size = min(step, m - start)
            block, part = keys[:size], extra[:size]
            extra_rng.standard_exponential(out=part)
            np.log(part, out=part)
            part -= extra_log_probs
            block[:, :n_race] = race_values[start : start + size]
            block[:, n_race:] = part
            out[start : start + size] = smallest_k(block, k)
    return out


def gaussian_max(
    rng: np.random.Generator, log_weights: np.ndarray, m: int, work: Workspace | None = None
) -> np.ndarray:
    """Draw ``m`` times ``argmax_i (log w_i + Z_i)`` with *Gaussian* noise ``Z_i ~ N(0, 1)``.

    This is **not** a sampler of ``Categorical(w)``: it is the counter-example of REFERENCE §6
    (property 6) that shows why the noise must be Gumbel. ``gumbel verify --noise gaussian`` runs
    it through the engine, and the goodness-of-fit tests must reject it.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    log_weights : numpy.ndarray
        ``log w_i`` for the K categories of the support, all finite.
    m : int
        Number of draws.
    work : Workspace, optional
        Scratch buffers to reuse (same result).

    Returns
    -------
    numpy.ndarray
        ``m`` indices into ``log_weights`` (dtype ``intp``).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> gaussian_max(rng, np.log([0.25, 0.75]), 4).shape
    (4,)
    """
    k = log_weights.shape[0]
    if k == 1:
        return np.zeros(m, dtype=np.intp)
    noise = rng.standard_normal((m, k)) if work is None else rng.standard_normal(out=work.get("normal", (m, k)))
    np.add(noise, log_weights, out=noise)
    return noise.argmax(axis=1)


#: Temperatures τ = 1/j for a whole j up to this take the exact-power path of :func:`relax`.
MAX_POWER = 64
_TINY = float(np.finfo(np.float64).tiny)


def relax(
    noise: np.ndarray,
    log_probs: np.ndarray,
    taus: np.ndarray,
    *,
    log: bool = False,
    out: np.ndarray | None = None,
    log_density: np.ndarray | None = None,
    summary: np.ndarray | None = None,
    work: Workspace | None = None,
) -> np.ndarray:
    """Relaxed (Gumbel-Softmax) samples ``y = softmax((log p + G) / τ)`` with ``G = -log E``.

    Computed in log space (REFERENCE §4): ``z = log p - log E`` is shifted so that its maximum is 0,
    then ``a = z / τ`` and ``log y = a - log Σ exp(a)``, where the sum is at least 1. No value is
    NaN or infinite for any τ > 0 and any finite log-probabilities: coordinates of ``y`` may
    underflow to 0 (small τ) while ``log y`` stays finite; at large τ rows tend to ``1/k``. The same
    noise serves every τ.

    When ``y`` itself is asked for (no ``log``, ``log_density`` or ``summary``) and ``1/τ`` is a
    whole number ``j`` up to :data:`MAX_POWER` (τ = 1, 0.5, 0.25, 0.1, ...), the same values come
    without a logarithm or an exponential per coordinate: ``exp(a_i) = q_i^j`` with the ratio
    ``q_i = min_l r_l / r_i`` of the race values ``r_i = E_i / p_i`` (``q_i`` in (0, 1], 1 at the
    argmax), raised by repeated squaring. Both paths agree to about 1e-13 relative.

    Parameters
    ----------
    noise : numpy.ndarray
        ``(m, k)`` standard exponential variates (any layout; :func:`exponential_noise`'s is fastest).
        Read, never written.
    log_probs : numpy.ndarray
        The k log-probabilities, all finite (the support of the distribution).
    taus : numpy.ndarray
        The T temperatures, positive and finite.
    log : bool
        Write ``log y`` (the ExpConcrete sample) instead of ``y``.
    out : numpy.ndarray, optional
        ``(m, T, k)`` array (a view is fine) that receives the samples; allocated when None.
    log_density : numpy.ndarray, optional
        ``(m, T)`` array that receives the log-density of each sample (REFERENCE §5): ExpConcrete
        with ``log``, Concrete otherwise. It is computed from the noise through the change of
        variables, ``log Γ(k) + (k-1) log τ + Σ log E_i - k log Σ E_i`` (ExpConcrete; the logits
        cancel), minus ``Σ log y_i`` for the Concrete density: exact, and finite wherever
        ``log y`` is.
    summary : numpy.ndarray, optional
        ``(T, 3)`` float64 array to which the sums over the m samples of the largest coordinate,
        the entropy ``-Σ y log y`` (nats) and the Euclidean distance to the nearest vertex of the
        simplex (``e_j`` with ``j = argmax y``) are *added*.
    work : Workspace, optional
        Scratch buffers to reuse (same result).

    Returns
    -------
    numpy.ndarray
        ``out``: shape ``(m, T, k)``; each ``y`` row sums to 1 within a few ulp.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> y = relax(exponential_noise(rng, 4, 3), np.log([0.2, 0.3, 0.5]), np.array([0.3, 1e6]))
    >>> y.shape, bool(np.allclose(y.sum(axis=-1), 1)), bool(np.allclose(y[:, 1], 1 / 3))
    ((4, 2, 3), True, True)
    """
    m, k = noise.shape
    taus = np.asarray(taus, dtype=np.float64).reshape(-1)
    if out is None:
        out = np.empty((m, len(taus), k))
    if work is None:
        work = Workspace()
    # Below SMALL_K categories, work category-major on (k, m) blocks, the layout of exponential_noise:
    # reductions over the categories are then elementwise operations between k long rows instead of
    # m short reductions that each pay NumPy's per-row overhead.
    category_major = k < SMALL_K
    axis = 0 if category_major else 1
    shape = (k, m) if category_major else (m, k)
    source = noise.T if category_major else noise
    column = (lambda v: v[:, None]) if category_major else (lambda v: v)

    def put(t: int, block: np.ndarray, scale: np.ndarray, scratch: np.ndarray) -> None:
        """Write ``block × scale`` (``block + scale`` for log y) as the samples at τ number ``t``."""
        op = np.add if log else np.multiply
        if category_major:  # a plain copy through the transposed view is cheaper than a ufunc's write
            op(block, scale, out=scratch)
            np.copyto(out[:, t, :].T, scratch)
        else:
            op(block, scale, out=out[:, t, :])

    plain = not log and log_density is None and summary is None
    powers = {t: round(1.0 / tau) for t, tau in enumerate(taus) if plain and _whole_power(tau)}
    ratios = None
    if powers:
        with np.errstate(over="ignore"):  # 1/p = inf where p underflows: q = 0 there
            inv_weights = np.exp(-log_probs)
        ratios = _race_ratios(source, column(inv_weights), axis, work.get("relax_q", shape))
    if ratios is None:
        powers = {}
    for t, j in powers.items():
        e = work.get("relax_e", shape)
        powered = _power(ratios, j, e, work.get("relax_a", shape))  # ratios itself when j = 1
        put(t, powered, 1.0 / powered.sum(axis=axis, keepdims=True), e)
    if len(powers) == len(taus):
        return out

    z = work.get("relax_z", shape)
    for attempt in range(2):
        with np.errstate(divide="ignore"):  # log 0 = -inf is detected below
            np.log(source if attempt == 0 else np.maximum(source, _TINY), out=z)
        if log_density is not None:
            sum_log_noise = z.sum(axis=axis)
        np.subtract(column(log_probs), z, out=z)
        top = z.max(axis=axis, keepdims=True)
        # A variate of exactly 0 (about one in 1e16) makes G infinite: retry with it at the smallest
        # normal double, which changes the sample's distribution by less than 1e-300.
        if not np.isinf(top).any():
            break
    np.subtract(z, top, out=z)  # z <= 0, and 0 at the argmax
    if log_density is not None:
        base = math.lgamma(k) + sum_log_noise - k * np.log(source.sum(axis=axis))
        sum_z = None if log else z.sum(axis=axis)

    rest = [t for t in range(len(taus)) if t not in powers]
    for t in rest:
        tau = taus[t]
        # The last τ works in z itself, and y needs no a = z / τ once e = exp(a) is known: fewer
        # buffers streaming through the cache. Multiplications by 1/τ and 1/s, not divisions: a
        # division costs several times as much in the CPU.
        a = z if t == rest[-1] else work.get("relax_a", shape)
        e = a if plain else work.get("relax_e", shape)
        np.multiply(z, 1.0 / tau, out=a)
        np.exp(a, out=e)
        s = e.sum(axis=axis, keepdims=True)  # >= 1: the argmax term is exp(0)
        if not plain:  # m logarithms: a tenth of the work at k = 10, so only when needed
            log_s = np.log(s)
            if log_density is not None:
                density = base + (k - 1) * math.log(tau)
                if not log:  # Concrete = ExpConcrete - Σ log y, and Σ log y = Σ z / τ - k log s
                    density = density - sum_z / tau + k * log_s.reshape(-1)
                log_density[:, t] = density
            if summary is not None:
                summary[t] += _summary_sums(a, e, s, log_s, axis, work)
        if log:
            put(t, a, -log_s, a)
        else:
            put(t, e, 1.0 / s, e)
    return out


def _whole_power(tau: float) -> bool:
    """``1/τ`` is a whole number ``j`` with ``1 <= j <= MAX_POWER`` (to double precision)."""
    j = 1.0 / tau
    return 1.0 <= j <= MAX_POWER and abs(j - round(j)) <= 4e-16 * j


def _race_ratios(source: np.ndarray, inv_weights: np.ndarray, axis: int, q: np.ndarray) -> np.ndarray | None:
    """``q_i = min_l r_l / r_i`` with ``r_i = E_i / p_i``, in ``q``; None when a variate is 0.

    ``exp((z_i - max z) / τ) = q_i^(1/τ)``. A category whose probability underflows has
    ``1/p = inf`` and gets ``q = 0``, which is its ``y`` to double precision whenever τ <= 1.
    """
    # 0 · inf = nan is detected below; E · (1/p) overflowing to inf for a tiny p gives q = 0, as it should
    with np.errstate(invalid="ignore", over="ignore"):
        np.multiply(source, inv_weights, out=q)
    top = q.min(axis=axis, keepdims=True)
    if not (top > 0).all():  # a variate of exactly 0 (or 0 · inf): the log-space path handles it
        return None
    np.divide(top, q, out=q)
    return q


def _power(q: np.ndarray, j: int, result: np.ndarray, square: np.ndarray) -> np.ndarray:
    """``q ** j`` for a whole ``j >= 1`` by repeated squaring: ``q`` itself when ``j = 1``, else ``result``.

    ``square`` is scratch; ``q`` is never written.
    """
    if j == 1:
        return q
    base, first = q, True
    while True:
        if j & 1:
            if first:
                np.copyto(result, base)
                first = False
            else:
                np.multiply(result, base, out=result)
        j >>= 1
        if not j:
            return result
        np.multiply(base, base, out=square)
        base = square


def _summary_sums(a: np.ndarray, e: np.ndarray, s: np.ndarray, log_s: np.ndarray, axis: int, work: Workspace) -> np.ndarray:
    """Sums over the draws of ``max y``, ``H(y)`` and ``‖y - e_argmax‖`` from ``e = exp(a)``, ``s = Σ e``.

    With ``y = e / s`` and ``max e = 1``: ``max y = 1/s``; ``H = log s - Σ e a / s``; and the squared
    distance to the nearest vertex is ``(1 - 1/s)² + (Σ e² - 1)/s² = ((s - 1)² + Σ e² - 1) / s²``.
    """
    tmp = work.get("relax_tmp", e.shape)
    s = s.reshape(-1)
    log_s = log_s.reshape(-1)
    np.multiply(e, a, out=tmp)  # 0 where e underflowed, whatever a is (a is finite)
    entropy = log_s - tmp.sum(axis=axis) / s
    np.multiply(e, e, out=tmp)
    squared = np.maximum((s - 1.0) ** 2 + tmp.sum(axis=axis) - 1.0, 0.0)
    distance = np.sqrt(squared) / s
    return np.array([np.sum(1.0 / s), np.sum(entropy), np.sum(distance)])
