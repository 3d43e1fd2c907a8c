"""Chunking, seeding and threading around the kernels of ``sampling.py``.

Draws are produced in chunks of a fixed number of draws per row. Chunk ``c`` of row ``r`` gets its
own stream, ``SeedSequence(entropy, spawn_key=(r, c))``, so the output depends only on the seed and
never on how many threads computed it, and memory stays bounded for any ``n``. NumPy releases the
GIL in its RNG and ufunc loops, so a thread pool gives real parallelism.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from .inputs import Target
from .errors import InputError
from .sampling import Workspace, exponential_noise, gaussian_max, gumbel_max, gumbel_topk, race, smallest_k
from .sampling import relax as relax_kernel

T = TypeVar("T")

#: Variates (draws × categories) in one seeded chunk: large enough that seeding and dispatch cost
#: nothing next to the noise (~5 ms of work), small enough that a chunk's buffers stay at ~8 MB.
CHUNK_VARIATES = 1 << 20
#: Variates in one block inside a chunk: the noise of a block stays in the CPU's L2 cache while the
#: kernel reduces it.
BLOCK_VARIATES = 1 << 16

ProgressCallback = Callable[[int], None]


def default_threads() -> int:
    """Threads to use when the user does not say: ``GUMBEL_THREADS`` is read by the CLI; here, the cores."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def root_entropy(seed: int | None) -> int:
    """The entropy all streams derive from: ``seed`` itself, or fresh OS entropy when it is None."""
    if seed is None:
        return int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
    return int(seed)


@dataclass(frozen=True)
class ChunkPlan:
    """How ``n`` draws of a distribution with ``support`` categories split into seeded chunks."""

    n: int
    draws_per_chunk: int
    draws_per_block: int

    @classmethod
    def for_support(cls, n: int, support: int) -> ChunkPlan:
        per_chunk = max(1, CHUNK_VARIATES // max(support, 1))
        per_block = min(per_chunk, max(1, BLOCK_VARIATES // max(support, 1)))
        return cls(n=n, draws_per_chunk=per_chunk, draws_per_block=per_block)

    @property
    def n_chunks(self) -> int:
        return -(-self.n // self.draws_per_chunk)

    def chunk_size(self, chunk: int) -> int:
        return min(self.draws_per_chunk, self.n - chunk * self.draws_per_chunk)

    def blocks(self, chunk: int) -> Iterator[int]:
        """Sizes of the cache-sized blocks a chunk is drawn in, in order."""
        left = self.chunk_size(chunk)
        while left > 0:
            size = min(self.draws_per_block, left)
            yield size
            left -= size


def chunk_rng(entropy: int, row: int, chunk: int) -> np.random.Generator:
    """The independent stream of chunk ``chunk`` of row ``row``."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy, spawn_key=(row, chunk))))


@dataclass(frozen=True)
class RowSupport:
    """The categories of one row that can be drawn, and their inverse weights for the race."""

    indices: np.ndarray  # positions in the row of the categories with positive weight
    inv_weights: np.ndarray  # 1 / p for those categories, finite even times any exponential variate

    #: Largest inverse weight kept: float64 exponential variates stay below ~45, so E / p never
    #: overflows (an overflow would only print a RuntimeWarning, but on the user's stderr).
    MAX_INV_WEIGHT = float(np.finfo(np.float64).max) / 64

    @classmethod
    def of(cls, probs: np.ndarray) -> RowSupport:
        # A probability below ~4e-307 (64 / the largest double) has a chance of winning below
        # 1e-300, so leaving it out is exact to double precision (REFERENCE §2).
        with np.errstate(divide="ignore", over="ignore"):  # 1/0 and 1/subnormal: inf, left out below
            inv = 1.0 / probs
        keep = np.flatnonzero((probs > 0) & (inv <= cls.MAX_INV_WEIGHT))
        return cls(indices=keep, inv_weights=np.ascontiguousarray(inv[keep]))


class GumbelMaxSampler:
    """Draws from every row of a :class:`Target` in seeded, thread-independent chunks.

    Parameters
    ----------
    target : Target
        The validated distributions (one per row).
    n : int
        Draws per row.
    seed : int or None
        Root seed; None draws fresh entropy (available afterwards as :attr:`entropy`).
    """

    def __init__(self, target: Target, n: int, seed: int | None) -> None:
        self.target = target
        self.n = n
        self.entropy = root_entropy(seed)
        self.supports = [RowSupport.of(row) for row in target.probs]
        widest = max(len(s.indices) for s in self.supports)
        self.plan = ChunkPlan.for_support(n, widest)
        self._local = threading.local()  # one Workspace per worker thread

    def workspace(self) -> Workspace:
        """This thread's scratch buffers."""
        work = getattr(self._local, "work", None)
        if work is None:
            work = self._local.work = Workspace()
        return work

    def draw_chunk(self, chunk: int) -> np.ndarray:
        """Draws of chunk ``chunk`` for every row: shape ``(m, rows)``, category indices."""
        m = self.plan.chunk_size(chunk)
        out = np.empty((m, self.target.rows), dtype=np.intp)
        work = self.workspace()
        for row, support in enumerate(self.supports):
            rng = chunk_rng(self.entropy, row, chunk)
            start = 0
            for size in self.plan.blocks(chunk):
                local = self.kernel(rng, row, size, work)
                out[start : start + size, row] = support.indices[local]
                start += size
        return out

    def kernel(self, rng: np.random.Generator, row: int, m: int, work: Workspace) -> np.ndarray:
        """``m`` draws of row ``row`` as indices into its support (the hook a subclass replaces)."""
        return gumbel_max(rng, self.supports[row].inv_weights, m, work)

    def count_chunk(self, chunk: int) -> np.ndarray:
        """Per-category counts of chunk ``chunk``: shape ``(rows, K)``; the draws are not kept."""
        return self.count_draws(self.draw_chunk(chunk))

    def count_draws(self, draws: np.ndarray) -> np.ndarray:
        """Per-category counts of a chunk of draws ``(m, rows)``: shape ``(rows, K)``."""
        k = self.target.n_categories
        return np.stack([np.bincount(draws[:, r], minlength=k) for r in range(self.target.rows)])

    def add_counts(self, total: np.ndarray, draws: np.ndarray) -> None:
        """Add the per-category counts of a chunk of draws to ``total`` (shape ``(rows, K)``)."""
        total += self.count_draws(draws)

    def chunks(
        self,
        work: Callable[[int], T],
        threads: int,
        progress: ProgressCallback | None = None,
    ) -> Iterator[T]:
        """Run ``work(chunk)`` for every chunk on ``threads`` threads; yield the results in order."""
        for chunk, result in enumerate(ordered_map(work, self.plan.n_chunks, threads)):
            if progress is not None:
                progress(self.plan.chunk_size(chunk))
            yield result

    def counts(self, threads: int, progress: ProgressCallback | None = None) -> np.ndarray:
        """All ``n`` draws of every row reduced to counts, chunk by chunk: shape ``(rows, K)``."""
        total = np.zeros((self.target.rows, self.target.n_categories), dtype=np.int64)
        for part in self.chunks(self.count_chunk, threads, progress):
            total += part
        return total


class GaussianMaxSampler(GumbelMaxSampler):
    """``argmax_i (log p_i + Z_i)`` with Gaussian noise, chunked and seeded like the real sampler.

    Not a sampler of the target: the counter-example of REFERENCE §6 (property 6) behind
    ``gumbel verify --noise gaussian``, which the goodness-of-fit tests must reject.
    """

    def __init__(self, target: Target, n: int, seed: int | None) -> None:
        super().__init__(target, n, seed)
        self.log_weights = [-np.log(s.inv_weights) for s in self.supports]

    def kernel(self, rng: np.random.Generator, row: int, m: int, work: Workspace) -> np.ndarray:
        return gaussian_max(rng, self.log_weights[row], m, work)


def ordered_map(work: Callable[[int], T], n_tasks: int, threads: int) -> Iterator[T]:
    """``map(work, range(n_tasks))`` on a thread pool, in order, with a bounded number in flight.

    At most ``2 × threads`` results wait at once, so a slow consumer (a pipe) bounds the memory. When
    the consumer stops early (closed pipe, Ctrl-C), queued tasks are cancelled.
    """
    if threads <= 1 or n_tasks <= 1:
        for task in range(n_tasks):
            yield work(task)
        return
    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="gumbel")
    pending: deque[Future[T]] = deque()
    submitted = 0
    try:
        while submitted < n_tasks and len(pending) < 2 * threads:
            pending.append(pool.submit(work, submitted))
            submitted += 1
        while pending:
            result = pending.popleft().result()
            if submitted < n_tasks:
                pending.append(pool.submit(work, submitted))
                submitted += 1
            yield result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# --------------------------------------------------------------------------------------------
# relaxed samples (gumbel relax)

#: Samples that may wait in finished chunks for a slow reader: about 16 chunks of one τ.
RELAX_BUFFER_BYTES = 256 << 20


@dataclass
class RelaxChunk:
    """One seeded chunk of relaxed samples of one distribution (row) of the batch."""

    row: int
    values: np.ndarray  #: (m, T, K), or (m, T, K + 1) with each sample's log-density last
    counts: np.ndarray | None = None  #: (K,) argmax counts, when a summary was asked for
    sums: np.ndarray | None = None  #: (T, 3) sums of the largest coordinate, the entropy, the vertex distance


@dataclass(frozen=True)
class RelaxSupport:
    """The categories a relaxed sample of one row spreads over: every one of finite log-probability.

    That is the :class:`RowSupport` of the race (so ``--hard`` is exactly ``gumbel sample``) plus
    the categories whose probability underflows to 0 in float64 while its log does not (logits
    spread over more than ~745): they never win a draw, but at a large τ their coordinates of ``y``
    are far from 0, so they get noise too, from a stream of their own.
    """

    indices: np.ndarray  #: the race's categories first, then the underflowed ones
    log_probs: np.ndarray  #: their log-probabilities, all finite
    extra: int  #: how many underflowed categories there are
    complete: bool  #: ``indices`` is exactly ``0, 1, ..., K-1``

    @classmethod
    def of(cls, log_probs: np.ndarray, race: RowSupport) -> RelaxSupport:
        extra = np.setdiff1d(np.flatnonzero(np.isfinite(log_probs)), race.indices)
        indices = np.concatenate([race.indices, extra]).astype(np.intp)
        complete = bool(np.array_equal(indices, np.arange(len(log_probs))))
        return cls(indices, np.ascontiguousarray(log_probs[indices]), len(extra), complete)


class RelaxSampler(GumbelMaxSampler):
    """Relaxed samples ``y = softmax((log p + G) / τ)`` of every row, in seeded, thread-independent chunks.

    The noise of row ``r``, chunk ``c``, block ``b`` is exactly the noise :class:`GumbelMaxSampler`
    draws there (same plan, same streams), so the argmax of a relaxed sample, and ``hard=True``, are
    the draws of ``gumbel sample`` with the same seed. Every τ uses the same noise. Work is split
    into tasks ``(row, chunk)``, row by row, which is the order of a ``(rows, n, T, K)`` array.

    Parameters
    ----------
    target : Target
        The validated distributions (one per row).
    n : int
        Samples per row.
    seed : int or None
        Root seed; None draws fresh entropy (available afterwards as :attr:`entropy`).
    taus : array_like
        The T temperatures, positive and finite.
    hard : bool
        One-hot vectors of the argmax (the straight-through forward value) instead of ``y``.
    noise : bool
        False gives the deterministic softmax with temperature, ``softmax(log p / τ)``, for every sample.
    log : bool
        Write ``log y`` (ExpConcrete samples) instead of ``y``.
    log_prob : bool
        Append each sample's log-density (ExpConcrete with ``log``, else Concrete) as a last column.
    summary : bool
        Also return per chunk the argmax counts and the sums behind the report.
    """

    def __init__(
        self,
        target: Target,
        n: int,
        seed: int | None,
        taus: np.ndarray,
        *,
        hard: bool = False,
        noise: bool = True,
        log: bool = False,
        log_prob: bool = False,
        summary: bool = False,
    ) -> None:
        super().__init__(target, n, seed)
        self.taus = np.asarray(taus, dtype=np.float64).reshape(-1)
        self.hard, self.noise, self.log, self.log_prob, self.summary = hard, noise, log, log_prob, summary
        self.width = target.n_categories + (1 if log_prob else 0)
        self.relax_supports = [RelaxSupport.of(lp, s) for lp, s in zip(target.log_probs, self.supports)]
        self._fixed = None if noise else [self._deterministic(r) for r in range(target.rows)]

    @property
    def n_tasks(self) -> int:
        return self.target.rows * self.plan.n_chunks

    def tasks(self, threads: int, progress: ProgressCallback | None = None) -> Iterator[RelaxChunk]:
        """Every chunk of every row, computed on ``threads`` threads, yielded in order (row by row).

        A chunk holds about ``T × 8 MB`` of samples and up to ``2 × threads`` of them wait for a
        slow reader (text output), so fewer threads are used when that would exceed
        :data:`RELAX_BUFFER_BYTES`.
        """
        chunk_bytes = 8 * self.plan.draws_per_chunk * len(self.taus) * self.width
        threads = max(1, min(threads, RELAX_BUFFER_BYTES // (2 * chunk_bytes)))
        for task, result in enumerate(ordered_map(self.relax_chunk, self.n_tasks, threads)):
            if progress is not None:
                progress(self.plan.chunk_size(task % self.plan.n_chunks))
            yield result

    def relax_chunk(self, task: int) -> RelaxChunk:
        """Task ``task`` = (row, chunk) in row-major order: its samples and, if asked, its summary."""
        row, chunk = divmod(task, self.plan.n_chunks)
        m = self.plan.chunk_size(chunk)
        k = self.target.n_categories
        values = np.empty((m, len(self.taus), self.width))
        counts = np.zeros(k, dtype=np.int64) if self.summary else None
        sums = np.zeros((len(self.taus), 3)) if self.summary else None
        if self._fixed is not None:
            fixed, winner, fixed_sums = self._fixed[row]
            values[...] = fixed
            if counts is not None and sums is not None:
                counts[winner] = m
                sums += m * fixed_sums
            return RelaxChunk(row, values, counts, sums)

        race_support, support = self.supports[row], self.relax_supports[row]
        rng = chunk_rng(self.entropy, row, chunk)
        extra_rng = rng.spawn(1)[0] if support.extra else None  # spawning leaves rng's stream as it is
        work = self.workspace()
        start = 0
        for size in self.plan.blocks(chunk):
            block = values[start : start + size]
            start += size
            if self.hard:
                winners = race_support.indices[self.kernel(rng, row, size, work)]
                block.fill(0.0)
                block[np.arange(size), :, winners] = 1.0
            else:
                drawn = exponential_noise(rng, size, len(race_support.indices), work)
                noise = drawn
                if extra_rng is not None:
                    noise = np.concatenate([drawn, extra_rng.standard_exponential((size, support.extra))], axis=1)
                out = block[:, :, :k] if support.complete else work.get("relax_out", (size, len(self.taus), len(support.indices)))
                density = block[:, :, k] if self.log_prob else None
                relax_kernel(noise, support.log_probs, self.taus, log=self.log, out=out, log_density=density, summary=sums, work=work)
                if not support.complete:
                    block[:, :, :k] = -np.inf if self.log else 0.0
                    block[:, :, support.indices] = out
                if counts is not None:  # the draws of `gumbel sample` (race overwrites the noise)
                    winners = race_support.indices[race(drawn, race_support.inv_weights)]
            if counts is not None:
                counts += np.bincount(winners, minlength=k)
        if self.hard and sums is not None:
            sums[:, 0] += m  # one-hot: largest coordinate 1, entropy 0, distance 0
        return RelaxChunk(row, values, counts, sums)

    def _deterministic(self, row: int) -> tuple[np.ndarray, int, np.ndarray]:
        """The one sample of ``--no-noise`` for ``row`` (shape ``(T, width)``), its argmax, its summary."""
        support = self.relax_supports[row]
        n_taus, k = len(self.taus), self.target.n_categories
        ones = np.ones((1, len(support.indices)))  # E = 1: G = 0
        sample = np.empty((1, n_taus, len(support.indices)))
        density = np.empty((1, n_taus))
        sums = np.zeros((n_taus, 3))
        relax_kernel(ones, support.log_probs, self.taus, log=self.log, out=sample, log_density=density, summary=sums)
        winner = int(support.indices[np.argmax(support.log_probs)])  # argmax softmax(l / τ) = argmax l, every τ
        fixed = np.full((n_taus, self.width), -np.inf if self.log else 0.0)
        if self.hard:
            fixed[:, winner] = 1.0
            sums = np.array([[1.0, 0.0, 0.0]] * n_taus)
        else:
            fixed[:, support.indices] = sample[0]
        if self.log_prob:
            fixed[:, k] = density[0]
        return fixed, winner, sums


# --------------------------------------------------------------------------------------------
# ordered draws of k distinct categories (gumbel sample -k K --without-replacement)


class TopKSampler(GumbelMaxSampler):
    """Ordered draws of ``k`` distinct categories (Gumbel-top-k), seeded and chunked like :class:`GumbelMaxSampler`.

    A draw is one pass of the noise of ``gumbel sample`` and a partial sort
    (:func:`~gumbelcli.sampling.gumbel_topk`): the categories in the order of their race values,
    which is a Plackett–Luce sample without replacement (REFERENCE §6.7). Chunks, blocks and streams
    are those of :class:`GumbelMaxSampler` whenever ``k`` is at most the widest row's support, so
    the first category of each draw is exactly the draw ``gumbel sample`` makes with the same seed,
    and the output does not depend on the number of threads.

    Categories whose probability underflows in double precision (below ~1e-306) but whose
    log-probability is finite — far tails of logits, or a small ``--temperature`` — can be drawn
    too: such a row is ordered in log space, their noise from a stream of their own, as in
    :class:`RelaxSampler`.

    Parameters
    ----------
    target : Target
        The validated distributions (one per row).
    n : int
        Draws per row.
    seed : int or None
        Root seed; None draws fresh entropy (available afterwards as :attr:`entropy`).
    k : int
        Categories per draw; at most the number of categories of positive probability of every row
        (see :func:`check_k`).
    """

    def __init__(self, target: Target, n: int, seed: int | None, k: int) -> None:
        check_k(target, k)
        super().__init__(target, n, seed)
        self.k = int(k)
        #: per row: the race's categories, then those whose probability underflows (log-probability finite)
        self.indices: list[np.ndarray] = []
        #: per row: the log-probabilities of the underflowed categories, or None when there are none
        self.extras: list[np.ndarray | None] = []
        for log_probs, support in zip(target.log_probs, self.supports):
            reachable = np.isfinite(log_probs)
            if int(reachable.sum()) == len(support.indices):
                self.indices.append(support.indices)
                self.extras.append(None)
                continue
            reachable[support.indices] = False
            extra = np.flatnonzero(reachable)
            self.indices.append(np.concatenate([support.indices, extra]))
            self.extras.append(np.ascontiguousarray(log_probs[extra]))
        widest = max(len(s.indices) for s in self.supports)
        if self.k > widest:  # the output of a draw, not its noise, sets the chunk: (m, rows, k) stays ~8 MB
            self.plan = ChunkPlan.for_support(n, self.k)

    def draw_row(self, row: int, chunk: int) -> np.ndarray:
        """Draws of chunk ``chunk`` of row ``row``: shape ``(m, k)``, category indices."""
        m = self.plan.chunk_size(chunk)
        out = np.empty((m, self.k), dtype=np.intp)
        indices = self.indices[row]
        rng = chunk_rng(self.entropy, row, chunk)
        extra_rng = rng.spawn(1)[0] if self.extras[row] is not None else None  # spawning leaves rng's stream as it is
        work = self.workspace()
        start = 0
        for size in self.plan.blocks(chunk):
            local = self.topk_kernel(rng, row, size, work, extra_rng)
            out[start : start + size] = indices[local]
            start += size
        return out

    def draw_chunk(self, chunk: int) -> np.ndarray:
        """Draws of chunk ``chunk`` for every row: shape ``(m, rows, k)``, category indices."""
        m = self.plan.chunk_size(chunk)
        out = np.empty((m, self.target.rows, self.k), dtype=np.intp)
        for row in range(self.target.rows):
            out[:, row] = self.draw_row(row, chunk)
        return out

    def topk_kernel(
        self, rng: np.random.Generator, row: int, m: int, work: Workspace, extra_rng: np.random.Generator | None
    ) -> np.ndarray:
        """``m`` draws of row ``row`` as indices into ``self.indices[row]`` (a subclass may replace it)."""
        return gumbel_topk(
            rng, self.supports[row].inv_weights, m, self.k, work, extra_log_probs=self.extras[row], extra_rng=extra_rng
        )

    def count_draws(self, draws: np.ndarray) -> np.ndarray:
        """Per-category counts at each position of a chunk of draws ``(m, rows, k)``: shape ``(rows, K, k)``."""
        total = np.zeros((draws.shape[1], self.target.n_categories, self.k), dtype=np.int64)
        self.add_counts(total, draws)
        return total

    def add_counts(self, total: np.ndarray, draws: np.ndarray) -> None:
        """Add the per-position counts of a chunk of draws ``(m, rows, k)`` to ``total`` ``(rows, K, k)``.

        A few draws of many categories (K = 1e5: ten draws a chunk) are added one by one, so the cost
        follows the draws, not the ``K × k`` table.
        """
        k = self.k
        for r in range(draws.shape[1]):
            codes = (draws[:, r] * k + np.arange(k)).reshape(-1)  # category i at position j -> i·k + j
            flat = total[r].reshape(-1)
            if 8 * codes.size >= flat.size:
                flat += np.bincount(codes, minlength=flat.size)
            else:
                np.add.at(flat, codes, 1)

    def count_chunk(self, chunk: int) -> np.ndarray:
        return self.count_draws(self.draw_chunk(chunk))

    def counts(self, threads: int, progress: ProgressCallback | None = None) -> np.ndarray:
        """How often each category came at each position, over all ``n`` draws: shape ``(rows, K, k)``.

        Positions are distinct within a draw, so ``counts.sum(axis=2)`` counts the draws that
        contain each category, and ``counts[:, :, 0]`` is what :meth:`GumbelMaxSampler.counts` gives.
        The draws of a chunk are counted as they arrive, in the calling thread.
        """
        total = np.zeros((self.target.rows, self.target.n_categories, self.k), dtype=np.int64)
        for draws in self.chunks(self.draw_chunk, threads, progress):
            self.add_counts(total, draws)
        return total

    def row_major(self, threads: int, progress: ProgressCallback | None = None) -> Iterator[tuple[int, np.ndarray]]:
        """``(row, draws)`` for every chunk of every row, row by row: the order of a ``(rows, n, k)`` array.

        The draws are those of :meth:`draw_chunk` (the streams are per row and chunk); ``progress``
        is called with the fraction of a draw-per-row that each chunk of one row represents.
        """
        n_chunks = self.plan.n_chunks
        rows = self.target.rows

        def work(task: int) -> np.ndarray:
            row, chunk = divmod(task, n_chunks)
            return self.draw_row(row, chunk)

        for task, draws in enumerate(ordered_map(work, rows * n_chunks, threads)):
            if progress is not None:
                progress(len(draws) / rows)
            yield task // n_chunks, draws


class GaussianTopKSampler(TopKSampler):
    """The ``k`` largest ``log p_i + Z_i`` with Gaussian noise: the counter-example for draws without replacement.

    Not a Plackett–Luce sampler of the target (REFERENCE §6, property 6): ``gumbel verify -k K
    --without-replacement --noise gaussian`` must reject it on a skewed target.
    """

    def topk_kernel(
        self, rng: np.random.Generator, row: int, m: int, work: Workspace, extra_rng: np.random.Generator | None
    ) -> np.ndarray:
        log_probs = self.target.log_probs[row][self.indices[row]]
        noise = rng.standard_normal((m, len(log_probs)))
        np.subtract(-log_probs, noise, out=noise)  # smallest -(log p + Z) first
        return smallest_k(noise, self.k)


def drawable(target: Target) -> np.ndarray:
    """Per row, the number of categories a draw without replacement can reach: those of finite log-probability."""
    return np.isfinite(target.log_probs).sum(axis=1)


def check_k(target: Target, k: int, option: str = "-k") -> int:
    """Validate ``k`` for draws without replacement: ``1 <= k <=`` the categories of positive probability.

    Raises
    ------
    InputError
        When ``k`` is below 1 or exceeds the number of categories of positive probability of some row
        (a draw without replacement holds k *distinct* categories of positive probability).
    """
    def shown(value: object) -> str:
        return f"{option} {value}" if option.startswith("-") else f"{option}={value!r}"

    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise InputError(f"{shown(k)} is not a positive integer; it accepts a whole number of at least 1, such as 2")
    reachable = drawable(target)
    short = np.flatnonzero(reachable < k)
    if short.size:
        r = int(short[0])
        have = int(reachable[r])
        where = f" in row {r + 1}" if target.rows > 1 else ""
        zero = target.n_categories - have
        why = f" ({zero} of the {target.n_categories} have probability 0)" if zero else ""
        raise InputError(
            f"{shown(int(k))} is more than the {have} categor{'y' if have == 1 else 'ies'} of positive probability{where}{why}; "
            f"a draw without replacement holds {int(k)} distinct categories: use {shown(have)} or less"
        )
    return int(k)
