"""Tests of the sampling core: the exponential-race kernel (sampling.py) and the chunked, seeded,
threaded engine around it (engine.py).

Three kinds of test:

* exact properties (hypothesis): zero weights never win, shift-invariance of logits, the same seed
  gives the same draws for any number of threads, counts are the bincount of the draws, the kernel
  is exactly ``argmin_i E_i / w_i`` of its noise;
* golden values that pin the stream layout;
* seeded statistical tests (chi-square, binomial) against independently computed probabilities.

Statistical tests and their false alarms
-----------------------------------------
Every statistical assertion below runs at a fixed seed, so its outcome is deterministic: a pass
today is a pass forever, until the stream changes. Each assertion uses a level of alpha = 1e-4,
i.e. under a correct sampler a *fresh* seed would fail it with probability 1e-4 (the number is
restated at each assertion). There are fewer than 25 such assertions in this file, so after a
deliberate change of the stream (which re-draws all of them) the chance that any one fails by
chance is below 25 × 1e-4 = 0.25 % (Bonferroni), and a failure is worth investigating.
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Iterator
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from gumbelcli import engine
from gumbelcli.engine import ChunkPlan, GumbelMaxSampler, RowSupport, chunk_rng, ordered_map, root_entropy
from gumbelcli.inputs import target_from_logits, target_from_probs
from gumbelcli.sampling import SMALL_K, exponential_noise, gumbel_max

pytestmark = pytest.mark.filterwarnings("error")  # no NumPy warning may leak from the core

#: Level of every statistical assertion in this file (see the module docstring).
ALPHA = 1e-4

PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@contextlib.contextmanager
def small_chunks(chunk_variates: int, block_variates: int) -> Iterator[None]:
    """Make chunks and blocks tiny, so that a few hundred draws span many chunks and blocks."""
    with mock.patch.object(engine, "CHUNK_VARIATES", chunk_variates), mock.patch.object(
        engine, "BLOCK_VARIATES", block_variates
    ):
        yield


def draws_of(target, n: int, seed: int | None, threads: int = 1) -> np.ndarray:
    """All draws of a sampler, shape ``(n, rows)``."""
    sampler = GumbelMaxSampler(target, n, seed)
    return np.concatenate(list(sampler.chunks(sampler.draw_chunk, threads)))


def counts_of(target, n: int, seed: int | None, threads: int = 1) -> np.ndarray:
    return GumbelMaxSampler(target, n, seed).counts(threads)


def chisquare_p(counts: np.ndarray, probs: np.ndarray) -> float:
    """Pearson's chi-square p-value of ``counts`` against ``probs``, computed independently of
    gumbelcli.stats: cells with expected count >= 5 stay alone, the others are pooled into one cell
    (the tests below choose n so that the pooled cell, if any, expects at least 5)."""
    counts = np.asarray(counts, dtype=np.int64)
    probs = np.asarray(probs, dtype=np.float64) / np.sum(probs)
    assert counts[probs == 0].sum() == 0, "a category of probability 0 was drawn"
    live = probs > 0
    n = counts.sum()
    obs, exp = counts[live].astype(float), n * probs[live]
    big = exp >= 5
    obs_cells, exp_cells = list(obs[big]), list(exp[big])
    if (~big).any():
        obs_cells.append(obs[~big].sum())
        exp_cells.append(exp[~big].sum())
        assert exp_cells[-1] >= 5, "choose a larger n: the pooled cell expects fewer than 5"
    exp_arr = np.array(exp_cells)
    exp_arr *= n / exp_arr.sum()
    return float(sps.chisquare(obs_cells, exp_arr).pvalue)


# --------------------------------------------------------------------------------------------
# The kernel: exactly the exponential race on its own noise


@PROPERTY
@given(
    weights=st.lists(st.floats(1e-6, 1e6), min_size=1, max_size=40),
    m=st.integers(1, 300),
    seed=st.integers(0, 2**32),
)
def test_kernel_is_argmin_of_noise_over_weights(weights, m, seed):
    """Both reductions (running minimum below SMALL_K, argmin above) equal argmin_i E_i / w_i."""
    inv = 1.0 / np.array(weights)
    k = len(weights)
    got = gumbel_max(np.random.default_rng(seed), inv, m)
    assert got.shape == (m,) and got.dtype == np.intp
    if k == 1:
        assert (got == 0).all()
        return
    noise = exponential_noise(np.random.default_rng(seed), m, k)
    assert noise.shape == (m, k) and noise.dtype == np.float64  # float64 noise (REFERENCE §3)
    np.testing.assert_array_equal(got, np.argmin(noise * inv, axis=1))


def test_kernel_noise_layout_is_shared_and_category_major_below_small_k():
    """exponential_noise is the stream's variates laid out (K, m) below SMALL_K, (m, K) above."""
    for k in (2, SMALL_K - 1, SMALL_K, 40):
        flat = np.random.default_rng(5).standard_exponential(7 * k)
        noise = exponential_noise(np.random.default_rng(5), 7, k)
        expected = flat.reshape(k, 7).T if k < SMALL_K else flat.reshape(7, k)
        np.testing.assert_array_equal(noise, expected)


def test_kernel_ties_go_to_the_first_category():
    """Equal weights and equal noise: both reductions pick the lowest index, as argmin does."""
    for k in (3, 20):
        rng = mock.Mock()
        rng.standard_exponential = lambda shape: np.ones(shape)
        assert gumbel_max(rng, np.ones(k), 4).tolist() == [0, 0, 0, 0]


# --------------------------------------------------------------------------------------------
# Golden values: the stream layout


def test_golden_draws_pin_the_stream_layout():
    """Fixed seed -> exact draws. This guards the stream layout (SeedSequence(seed, spawn_key=(row,
    chunk)), PCG64, standard_exponential, the noise layout, the chunk and block sizes) against an
    *accidental* change. Changing the stream is allowed, but it must be deliberate: it changes
    every user's seeded output, so update these values on purpose and say so in the changelog."""
    probs3 = target_from_probs([0.2, 0.3, 0.5])
    assert draws_of(probs3, 20, 42)[:, 0].tolist() == [2, 1, 2, 0, 1, 2, 1, 0, 2, 1, 0, 0, 2, 0, 0, 2, 2, 1, 2, 1]
    # K >= SMALL_K: the row-major noise and argmin path
    wide = target_from_probs(np.arange(1, 21))
    assert draws_of(wide, 20, 42)[:, 0].tolist() == [
        13, 9, 8, 15, 13, 15, 17, 8, 15, 16, 14, 9, 11, 13, 4, 11, 17, 19, 18, 7,
    ]
    # a batch: row r has its own streams
    batch = target_from_probs([[0.2, 0.3, 0.5], [0.5, 0.3, 0.2]])
    assert draws_of(batch, 10, 42).T.tolist() == [[1, 1, 1, 1, 2, 2, 2, 0, 2, 2], [2, 0, 2, 2, 0, 0, 1, 0, 2, 0]]
    assert counts_of(probs3, 1000, 42)[0].tolist() == [206, 300, 494]


def test_golden_chunk_streams():
    np.testing.assert_allclose(
        chunk_rng(42, 0, 0).standard_exponential(3), [0.6856526671287955, 0.9591124057244779, 1.041075873271521], rtol=1e-15
    )
    np.testing.assert_allclose(
        chunk_rng(42, 1, 2).standard_exponential(3), [4.495802250675351, 2.085730283819363, 3.6528477159056836], rtol=1e-15
    )


# --------------------------------------------------------------------------------------------
# Chunk plans and supports


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 10**7), support=st.integers(1, 10**7))
def test_chunk_plan_covers_n_exactly(n, support):
    plan = ChunkPlan.for_support(n, support)
    assert 1 <= plan.draws_per_block <= plan.draws_per_chunk
    # a chunk holds at most CHUNK_VARIATES variates (unless one draw alone is wider)
    assert plan.draws_per_chunk * support <= max(engine.CHUNK_VARIATES, support)
    last = plan.n_chunks - 1
    # every chunk but the last is full, the last holds the rest (1..draws_per_chunk draws)
    assert plan.chunk_size(0) == min(n, plan.draws_per_chunk)
    assert 0 < plan.chunk_size(last) <= plan.draws_per_chunk
    assert last * plan.draws_per_chunk + plan.chunk_size(last) == n
    for chunk in {0, last}:
        blocks = list(plan.blocks(chunk))
        assert sum(blocks) == plan.chunk_size(chunk) and all(0 < b <= plan.draws_per_block for b in blocks)
        assert all(b == plan.draws_per_block for b in blocks[:-1])


def test_row_support_leaves_out_zero_and_subnormal_probabilities():
    tiny = np.finfo(np.float64).tiny  # 2.2e-308: its inverse is finite, but E / p would overflow
    probs = np.array([0.5, 0.0, 0.5 - 1e-300, 1e-310, 0.0, tiny, 1e-300])
    support = RowSupport.of(probs)
    assert support.indices.tolist() == [0, 2, 6]  # chances below 1e-300 are left out, 1e-300 stays
    assert np.isfinite(support.inv_weights * 50.0).all()  # no overflow with any exponential variate
    np.testing.assert_allclose(support.inv_weights, 1 / probs[[0, 2, 6]])


@pytest.mark.parametrize("k", [3, 40])  # both reductions
def test_near_zero_weights_raise_no_floating_point_warning(k):
    """Warnings are errors in this module: an overflow in E / p would fail here (and print a
    RuntimeWarning on the user's stderr)."""
    tiny = np.finfo(np.float64).tiny
    weights = np.concatenate([[1.0, tiny, 1e-310, 4e-307], np.ones(k - 4)]) if k > 4 else np.array([1.0, tiny, 1e-310])
    draws = draws_of(target_from_probs(weights), 5000, 3)[:, 0]
    assert not np.isin(draws, [1, 2]).any()


def test_root_entropy():
    assert root_entropy(7) == 7
    a, b = root_entropy(None), root_entropy(None)
    assert a != b and a >= 0


# --------------------------------------------------------------------------------------------
# Exact properties

weights_with_zeros = st.lists(st.sampled_from([0.0, 0.0, 1e-3, 0.5, 1.0, 7.0, 1e6]), min_size=1, max_size=24).filter(
    lambda w: any(x > 0 for x in w)
)


@PROPERTY
@given(
    rows=st.lists(weights_with_zeros, min_size=1, max_size=3),
    n=st.integers(1, 400),
    seed=st.integers(0, 2**63),
    threads=st.integers(1, 3),
)
def test_zero_weights_are_never_drawn(rows, n, seed, threads):
    k = max(len(r) for r in rows)
    matrix = np.array([r + [0.0] * (k - len(r)) for r in rows])
    with small_chunks(64, 16):  # many chunks and blocks, partial ones included
        draws = draws_of(target_from_probs(matrix), n, seed, threads)
        tally = counts_of(target_from_probs(matrix), n, seed, threads)
    assert draws.shape == (n, len(rows))
    for r in range(len(rows)):
        assert (matrix[r, draws[:, r]] > 0).all()
        assert (tally[r][matrix[r] == 0] == 0).all()
    assert (tally.sum(axis=1) == n).all()


@PROPERTY
@given(
    logits=st.lists(st.one_of(st.floats(-30, 30), st.just(-math.inf)), min_size=1, max_size=24).filter(
        lambda xs: any(math.isfinite(x) for x in xs)
    ),
    n=st.integers(1, 300),
    seed=st.integers(0, 2**32),
)
def test_minus_infinity_logits_are_never_drawn(logits, n, seed):
    draws = draws_of(target_from_logits(logits), n, seed)[:, 0]
    assert all(math.isfinite(logits[i]) for i in np.unique(draws))


@PROPERTY
@given(
    logits=st.lists(st.one_of(st.integers(-40, 40), st.just(-math.inf)), min_size=1, max_size=30).filter(
        lambda xs: any(math.isfinite(x) for x in xs)
    ),
    shift=st.integers(-10**6, 10**6),
    n=st.integers(1, 300),
    seed=st.integers(0, 2**32),
)
def test_shift_invariance_exact(logits, shift, n, seed):
    """Integer logits shifted by an integer are exact in float64, so the targets are bit-identical
    and the draws identical."""
    base = np.array(logits, dtype=float)
    a, b = target_from_logits(base), target_from_logits(base + shift)
    np.testing.assert_array_equal(a.probs, b.probs)
    np.testing.assert_array_equal(draws_of(a, n, seed), draws_of(b, n, seed))


@PROPERTY
@given(
    logits=st.lists(st.floats(-30, 30), min_size=2, max_size=30),
    shift=st.floats(-1000, 1000),
    n=st.integers(1, 300),
    seed=st.integers(0, 2**32),
)
def test_shift_invariance_real(logits, shift, n, seed):
    """Real logits: l + c rounds, so the probabilities agree only to ~1e-13 (relative); a draw could
    differ only if two races finish within that relative distance, which has probability ~1e-12 per
    draw: the draws are the same."""
    base = np.array(logits)
    a, b = target_from_logits(base), target_from_logits(base + shift)
    np.testing.assert_allclose(a.probs, b.probs, rtol=1e-10, atol=0)
    np.testing.assert_array_equal(draws_of(a, n, seed), draws_of(b, n, seed))


@settings(PROPERTY, max_examples=25)
@given(
    rows=st.lists(st.lists(st.floats(0.0, 10.0), min_size=4, max_size=20), min_size=1, max_size=3),
    n=st.integers(1, 700),
    seed=st.integers(0, 2**63),
)
def test_same_seed_same_draws_for_1_2_3_threads(rows, n, seed):
    k = min(len(r) for r in rows)
    matrix = np.array([r[:k] for r in rows]) + 0.01  # positive rows
    target = target_from_probs(matrix)
    with small_chunks(97, 23):  # odd sizes: n is rarely a multiple of the chunk or the block
        one = draws_of(target, n, seed, threads=1)
        assert GumbelMaxSampler(target, n, seed).plan.n_chunks >= 1
        for threads in (2, 3):
            np.testing.assert_array_equal(draws_of(target, n, seed, threads), one)
            np.testing.assert_array_equal(counts_of(target, n, seed, threads), counts_of(target, n, seed, 1))


@PROPERTY
@given(
    rows=st.lists(weights_with_zeros, min_size=1, max_size=3),
    n=st.integers(1, 700),
    seed=st.integers(0, 2**63),
    threads=st.integers(1, 3),
)
def test_counts_are_the_bincount_of_the_draws(rows, n, seed, threads):
    k = max(len(r) for r in rows)
    target = target_from_probs(np.array([r + [0.0] * (k - len(r)) for r in rows]))
    with small_chunks(128, 32):
        draws = draws_of(target, n, seed, threads)
        tally = counts_of(target, n, seed, threads)
    assert tally.shape == (len(rows), k) and tally.dtype == np.int64
    assert (tally.sum(axis=1) == n).all()
    for r in range(len(rows)):
        np.testing.assert_array_equal(tally[r], np.bincount(draws[:, r], minlength=k))


def test_real_chunk_sizes_thread_independence_across_several_chunks():
    """With the shipped chunk sizes: n spans 4 chunks, the last one partial."""
    target = target_from_probs([[0.2, 0.3, 0.5], [5, 1, 1]])
    sampler = GumbelMaxSampler(target, 1_100_001, 3)
    assert sampler.plan.n_chunks == 4 and 1_100_001 % sampler.plan.draws_per_chunk
    one = draws_of(target, 1_100_001, 3, threads=1)
    np.testing.assert_array_equal(draws_of(target, 1_100_001, 3, threads=3), one)
    np.testing.assert_array_equal(counts_of(target, 1_100_001, 3, threads=2), [np.bincount(one[:, r]) for r in (0, 1)])


def test_progress_reports_every_draw_once():
    seen: list[int] = []
    with small_chunks(50, 10):
        sampler = GumbelMaxSampler(target_from_probs([1, 2, 3, 4]), 333, 1)
        sampler.counts(2, seen.append)
    assert sum(seen) == 333 and len(seen) == sampler.plan.n_chunks > 1


def test_fresh_entropy_without_a_seed_is_recorded_and_reproduces_the_run():
    target = target_from_probs(np.ones(10))
    first = GumbelMaxSampler(target, 50, None)
    other = GumbelMaxSampler(target, 50, None)
    assert first.entropy != other.entropy
    draws = np.concatenate(list(first.chunks(first.draw_chunk, 1)))
    np.testing.assert_array_equal(draws_of(target, 50, first.entropy), draws)


# --------------------------------------------------------------------------------------------
# ordered_map: order, errors, bounded work


@pytest.mark.parametrize("threads", [1, 2, 3, 8])
def test_ordered_map_keeps_order(threads):
    assert list(ordered_map(lambda i: i * i, 37, threads)) == [i * i for i in range(37)]
    assert list(ordered_map(lambda i: i, 0, threads)) == []


def test_ordered_map_propagates_errors():
    def work(i: int) -> int:
        if i == 5:
            raise RuntimeError("boom")
        return i

    with pytest.raises(RuntimeError, match="boom"):
        list(ordered_map(work, 20, 3))


def test_ordered_map_stops_early_without_running_everything():
    """A consumer that stops (a closed pipe) leaves at most ~2 × threads tasks started beyond it."""
    started: list[int] = []
    lock = threading.Lock()

    def work(i: int) -> int:
        with lock:
            started.append(i)
        return i

    gen = ordered_map(work, 10_000, 2)
    assert [next(gen) for _ in range(3)] == [0, 1, 2]
    gen.close()
    assert len(started) <= 3 + 2 * 2 + 1


# --------------------------------------------------------------------------------------------
# Seeded statistical tests (each assertion: false-alarm rate ALPHA = 1e-4 for a fresh seed)


@pytest.mark.parametrize(
    "probs, n, seed",
    [
        ([0.3, 0.7], 10**6, 11),  # K = 2
        ([0.01, 0.04, 0.05, 0.1, 0.1, 0.1, 0.1, 0.15, 0.15, 0.2], 10**6, 12),  # K = 10, small-K path
        (np.random.default_rng(99).dirichlet(np.full(1000, 2.0)), 10**5, 13),  # K = 1000, argmin path
    ],
    ids=["K=2", "K=10", "K=1000"],
)
def test_chisquare_weights(probs, n, seed):
    tally = counts_of(target_from_probs(probs), n, seed, threads=2)[0]
    assert tally.sum() == n
    assert chisquare_p(tally, probs) > ALPHA  # false alarm 1e-4


@pytest.mark.parametrize("offset", [1e4, -1e4])
def test_chisquare_extreme_logits(offset):
    """Logits spread over ±1e4: the live categories sit at offset + log p, the dead ones 2e4 lower
    (probability exp(-2e4) = 0 in double precision) or at -inf: never drawn."""
    p = np.array([0.05, 0.05, 0.1, 0.1, 0.15, 0.25, 0.3])
    logits = np.concatenate([offset + np.log(p), [offset - 2e4, -math.inf]])
    tally = counts_of(target_from_logits(logits), 10**6, 21, threads=2)[0]
    assert tally[len(p):].sum() == 0
    assert chisquare_p(tally[: len(p)], p) > ALPHA  # false alarm 1e-4


def test_chisquare_extreme_logits_two_categories():
    logits = [1e4, 1e4 - math.log(3.0), -1e4]  # p = (3/4, 1/4, 0)
    tally = counts_of(target_from_logits(logits), 10**6, 22)[0]
    assert tally[2] == 0
    assert chisquare_p(tally, [0.75, 0.25, 0.0]) > ALPHA  # false alarm 1e-4


def test_chisquare_batch_rows_each_fit_their_target():
    rows = np.array([[1, 2, 3, 4], [4, 3, 2, 1], [1, 0, 0, 9]], dtype=float)
    tally = counts_of(target_from_probs(rows), 200_000, 23, threads=3)
    for r in range(3):
        assert chisquare_p(tally[r], rows[r]) > ALPHA  # false alarm 1e-4 per row


def test_rows_use_independent_streams():
    """Two identical rows must not share noise: their joint draws are independent. Chi-square test
    of independence on the 3 × 3 contingency table; false alarm 1e-4."""
    target = target_from_probs([[1, 1, 1], [1, 1, 1]])
    draws = draws_of(target, 90_000, 24)
    assert (draws[:, 0] != draws[:, 1]).any()
    table = np.zeros((3, 3))
    np.add.at(table, (draws[:, 0], draws[:, 1]), 1)
    assert sps.chi2_contingency(table).pvalue > ALPHA


@pytest.mark.parametrize(
    "chunk_variates, block_variates, n",
    [
        (4096, 256, 100_003),  # n not a multiple of the chunk nor of the block; many chunks
        (4096, 256, 37),  # n smaller than one block: a single partial block
        (1 << 20, 1 << 16, 20_001),  # shipped sizes, n inside the first chunk, not a multiple of a block
    ],
)
def test_chunk_boundaries_do_not_change_the_distribution(chunk_variates, block_variates, n):
    probs = np.array([0.1, 0.2, 0.3, 0.4])
    with small_chunks(chunk_variates, block_variates):
        sampler = GumbelMaxSampler(target_from_probs(probs), n, 31)
        draws = np.concatenate(list(sampler.chunks(sampler.draw_chunk, 2)))[:, 0]
    assert draws.shape == (n,)
    if n < 1000:
        return  # too few draws for a chi-square test; the shape and length are the point
    assert chisquare_p(np.bincount(draws, minlength=4), probs) > ALPHA  # false alarm 1e-4
    # chunk-to-chunk: every chunk's draws alike (no chunk repeats another's stream)
    per_chunk = sampler.plan.draws_per_chunk
    if sampler.plan.n_chunks > 2:
        assert not np.array_equal(draws[:per_chunk], draws[per_chunk : 2 * per_chunk])


@pytest.mark.parametrize("tiny, n", [(1e-6, 200_000), (1e-7, 300_000)])
def test_tail_of_many_tiny_categories_is_sampled_at_its_rate(tiny, n):
    """A head of weight 1 and 1000 categories of weight ``tiny`` each (REFERENCE §3): float32 noise
    cannot resolve races that need E_tail < tiny · E_head, so it gets the tail wrong; with float64
    noise the tail count must match its expectation (~200 and ~30 hits). Two-sided exact binomial
    test on the tail total; false alarm 1e-4. (Power: with float32 noise swapped in, the 1e-7 case
    at this seed gives 60 hits for 30 expected, p = 1.4e-6: rejected.)"""
    weights = np.concatenate([[1.0], np.full(1000, tiny)])
    tally = counts_of(target_from_probs(weights), n, 41, threads=2)[0]
    tail_p = 1000 * tiny / (1 + 1000 * tiny)
    tail = int(tally[1:].sum())
    assert tail > 0
    assert sps.binomtest(tail, n, tail_p).pvalue > ALPHA
    # and the hits are spread over the tiny categories, not piled on a few (200 hits in 1000 cells
    # repeat a cell ~20 times, sd ~4: the 0.8 bound is 5 sd away)
    assert np.count_nonzero(tally[1:]) > 0.8 * tail


def test_chisquare_check_has_power_against_a_wrong_sampler():
    """The helper above is not vacuous: Gaussian noise in place of Gumbel noise (REFERENCE §6.6)
    is rejected at a moderate n. With this seed the p-value is astronomically small; a wrong
    sampler slipping through at a fresh seed has probability far below 1e-4."""
    p = np.array([0.1, 0.2, 0.3, 0.4])
    rng = np.random.default_rng(51)
    wrong = np.argmax(np.log(p) + rng.standard_normal((50_000, 4)), axis=1)
    assert chisquare_p(np.bincount(wrong, minlength=4), p) < 1e-12
    # and a 2% error in one probability is caught at n = 1e6
    tally = counts_of(target_from_probs([0.2, 0.3, 0.5]), 10**6, 52)[0]
    assert chisquare_p(tally, [0.204, 0.296, 0.5]) < ALPHA


def test_p_values_are_calibrated_over_many_seeds():
    """Under the true target, p-values are ~Uniform(0, 1): over 300 seeds the number of rejections
    at level 0.05 is Binomial(300, 0.05) (15 expected). Accepting 3..31 has a false-alarm rate
    below 1e-4 (the two binomial tails: P(X <= 2) + P(X >= 32) = 2.9e-5 + 5.4e-5)."""
    probs = np.array([0.05, 0.1, 0.15, 0.3, 0.4])
    target = target_from_probs(probs)
    p_values = [chisquare_p(counts_of(target, 2000, seed)[0], probs) for seed in range(1000, 1300)]
    rejections = sum(p < 0.05 for p in p_values)
    lo, hi = 3, 31
    tails = sps.binom.cdf(lo - 1, 300, 0.05) + sps.binom.sf(hi, 300, 0.05)
    assert tails < 1e-4
    assert lo <= rejections <= hi, rejections
