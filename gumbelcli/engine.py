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
from .sampling import Workspace, gumbel_max

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
    inv_weights: np.ndarray  # 1 / p for those categories, all finite

    @classmethod
    def of(cls, probs: np.ndarray) -> RowSupport:
        # A probability below ~1e-308 has no finite inverse; its chance of winning is < 1e-300, so
        # leaving it out is exact to double precision (REFERENCE §2).
        with np.errstate(divide="ignore"):
            inv = 1.0 / probs
        keep = np.flatnonzero((probs > 0) & np.isfinite(inv))
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
                local = gumbel_max(rng, support.inv_weights, size, work)
                out[start : start + size, row] = support.indices[local]
                start += size
        return out

    def count_chunk(self, chunk: int) -> np.ndarray:
        """Per-category counts of chunk ``chunk``: shape ``(rows, K)``; the draws are not kept."""
        draws = self.draw_chunk(chunk)
        k = self.target.n_categories
        return np.stack([np.bincount(draws[:, r], minlength=k) for r in range(self.target.rows)])

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
