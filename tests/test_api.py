"""The Python API: gumbelcli.sample — shapes, dtypes, reproducibility, counts and errors."""

from __future__ import annotations

import math
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

import gumbelcli
from gumbelcli.errors import GumbelError, InputError

pytestmark = pytest.mark.filterwarnings("error")


def test_single_distribution_shape_and_dtype():
    draws = gumbelcli.sample([0.2, 0.3, 0.5], n=7, seed=1)
    assert draws.shape == (7,) and draws.dtype == np.int64
    assert draws.min() >= 0 and draws.max() <= 2


def test_batch_shape():
    draws = gumbelcli.sample([[1, 2, 3], [3, 2, 1]], n=5, seed=1)
    assert draws.shape == (2, 5) and draws.dtype == np.int64 and draws.flags.c_contiguous
    one_row_batch = gumbelcli.sample([[1, 2, 3]], n=5, seed=1)
    assert one_row_batch.shape == (1, 5)
    np.testing.assert_array_equal(one_row_batch[0], gumbelcli.sample([1, 2, 3], n=5, seed=1))


def test_batch_rows_match_their_own_distributions():
    draws = gumbelcli.sample([[1, 0, 0], [0, 0, 1]], n=50, seed=3)
    assert (draws[0] == 0).all() and (draws[1] == 2).all()


def test_counts_shapes():
    counts = gumbelcli.sample([1, 2, 3], n=1000, seed=1, counts=True)
    assert counts.shape == (3,) and counts.dtype == np.int64 and counts.sum() == 1000
    counts = gumbelcli.sample([[1, 2, 3], [3, 2, 1]], n=1000, seed=1, counts=True)
    assert counts.shape == (2, 3) and (counts.sum(axis=1) == 1000).all()


def test_counts_are_the_bincount_of_the_draws():
    weights = [[1, 2, 3, 0], [0, 1, 1, 1]]
    draws = gumbelcli.sample(weights, n=2000, seed=5)
    counts = gumbelcli.sample(weights, n=2000, seed=5, counts=True)
    assert counts.tolist() == [np.bincount(d, minlength=4).tolist() for d in draws]


def test_reproducible_and_thread_independent():
    a = gumbelcli.sample([0.1, 0.9], n=1_500_000, seed=9, threads=1)  # two chunks of the shipped size
    b = gumbelcli.sample([0.1, 0.9], n=1_500_000, seed=9, threads=3)
    np.testing.assert_array_equal(a, b)
    c = gumbelcli.sample([0.1, 0.9], n=1_500_000, seed=10, threads=2)
    assert not np.array_equal(a, c)


def test_no_seed_gives_fresh_draws():
    a = gumbelcli.sample(np.ones(100), n=100)
    b = gumbelcli.sample(np.ones(100), n=100)
    assert not np.array_equal(a, b)


def test_numpy_integer_arguments():
    a = gumbelcli.sample(np.array([1.0, 2.0]), n=np.int64(10), seed=np.uint32(4), threads=np.int8(2))
    assert a.tolist() == gumbelcli.sample([1, 2], n=10, seed=4).tolist()


def test_logits_equal_the_weights_they_encode():
    w = np.array([0.5, 1.5, 3.0, 0.0])
    with np.errstate(divide="ignore"):
        logits = np.log(w) + 123.0
    # 123 + log w rounds, so probabilities agree to ~1e-15 and draws are the same (a flip needs a
    # near-tie of two races within that relative distance)
    np.testing.assert_array_equal(
        gumbelcli.sample(logits=logits, n=500, seed=2), gumbelcli.sample(w, n=500, seed=2)
    )


def test_exact_rationals_and_mixed_number_types():
    draws = gumbelcli.sample([Fraction(1, 3), 2, 0.0], n=100, seed=1)
    assert set(draws.tolist()) <= {0, 1}


def test_statistical_sanity_of_the_api():
    """Chi-square on 1e5 draws of K = 5; seeded, false-alarm rate 1e-4 for a fresh seed."""
    p = np.array([0.1, 0.15, 0.2, 0.25, 0.3])
    counts = gumbelcli.sample(p * 7, n=100_000, seed=123, counts=True)
    assert sps.chisquare(counts, 100_000 * p).pvalue > 1e-4


@settings(max_examples=40, deadline=None)
@given(
    weights=st.lists(st.floats(0, 100), min_size=1, max_size=12).filter(lambda w: sum(w) > 0),
    n=st.integers(1, 200),
    seed=st.integers(0, 2**32),
)
def test_draws_stay_in_the_support(weights, n, seed):
    draws = gumbelcli.sample(weights, n=n, seed=seed)
    assert draws.shape == (n,)
    assert all(weights[i] > 0 for i in np.unique(draws))


# --------------------------------------------------------------------------------------------
# Errors: InputError (a ValueError), one line, naming the problem


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        (dict(weights=[0.5, -0.5]), "negative"),
        (dict(weights=[0.5, math.nan]), "NaN"),
        (dict(weights=[0.5, math.inf]), "infinity"),
        (dict(weights=[0, 0]), "zero"),
        (dict(weights=[]), "empty"),
        (dict(weights=[[1, 2], [3]]), "different lengths"),
        (dict(weights=[[[1, 2]]]), "3-D"),
        (dict(weights=5.0), "scalar"),
        (dict(weights=["a", "b"]), "real numbers"),
        (dict(logits=[0.0, math.inf]), "+inf"),
        (dict(logits=[math.nan, 0.0]), "NaN"),
        (dict(logits=[-math.inf, -math.inf]), "-inf"),
        (dict(), "exactly one of weights and logits"),
        (dict(weights=[1, 2], logits=[1, 2]), "exactly one of weights and logits"),
        (dict(weights=[1, 2], n=0), "n=0"),
        (dict(weights=[1, 2], n=-3), "n=-3"),
        (dict(weights=[1, 2], n=1.5), "n=1.5"),
        (dict(weights=[1, 2], n=True), "n=True"),
        (dict(weights=[1, 2], n="10"), "n='10'"),
        (dict(weights=[1, 2], seed=-1), "seed=-1"),
        (dict(weights=[1, 2], seed=1.5), "seed=1.5"),
        (dict(weights=[1, 2], threads=0), "threads=0"),
    ],
)
def test_errors_raise_input_error(kwargs, fragment):
    kwargs.setdefault("n", 3)
    with pytest.raises(InputError) as info:
        gumbelcli.sample(**kwargs)
    assert isinstance(info.value, ValueError) and isinstance(info.value, GumbelError)
    message = str(info.value)
    assert "\n" not in message and fragment in message, message


def test_import_is_light():
    """Importing the package (and the CLI module, which every TAB press runs) loads no SciPy, no
    rich table machinery and not even NumPy's heavy parts beyond what inputs need."""
    code = (
        "import sys, gumbelcli, gumbelcli.cli; "
        "print('scipy' in sys.modules, 'rich.table' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
