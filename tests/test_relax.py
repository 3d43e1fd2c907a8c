"""`gumbel relax`: relaxed (Gumbel-Softmax / Concrete) samples, their densities, the report, the
output layouts, bad input, and the shell.

What must hold (issue #4): rows on the simplex; nothing NaN or infinite at the extremes (τ down to
1e-3 with logits spread over ±1e4, τ up to 1e6 where rows tend to 1/K); ``--hard`` is the Gumbel-max
draw of ``gumbel sample`` with the same seed, byte for byte; the log-densities agree with the closed
forms of REFERENCE §5 on hand-computed cases and integrate to 1 (K = 2); npy pipelines read back.

Statistical tests use fixed seeds, so they are deterministic; the threshold p > 1e-3 is what a correct
sampler would fail with probability 1e-3 per test for a seed drawn at random.
"""

from __future__ import annotations

import csv
import io
import json
import math
import shlex
import sys

import numpy as np
import pytest

import gumbelcli
from conftest import assert_one_line_error, ok, run, shell
from gumbelcli.errors import InputError
from gumbelcli.relaxation import check_taus, concrete_log_density, expconcrete_log_density, parse_taus
from gumbelcli.sampling import SMALL_K

EXTREME_LOGITS = [1e4, 1e4 - 1, 0.0, 1e4 - 3, -1e4, 1e4 - 0.5, -1e4 + 2]
P_MIN = 1e-3  # a correct sampler fails a test with this probability for a random seed




def npy(args) -> np.ndarray:
    return np.load(io.BytesIO(ok([*args, "--format", "npy"]).stdout_bytes))


def softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


# --------------------------------------------------------------------------------------------
# the samples


@pytest.mark.parametrize("k", [2, 3, 10, 40, SMALL_K + 84])  # both kernel layouts
def test_rows_are_points_of_the_simplex(k):
    rng = np.random.default_rng(k)
    weights = rng.dirichlet(np.ones(k))
    taus = [1e-3, 0.1, 0.5, 1.0, 5.0, 1e6]
    y = gumbelcli.relax(weights, n=2000, tau=taus, seed=k)
    assert y.shape == (2000, len(taus), k)
    assert np.isfinite(y).all() and (y >= 0).all() and (y <= 1).all()
    assert np.abs(y.sum(axis=-1) - 1).max() <= 1e-12


def test_log_space_matches_the_textbook_formula():
    """y = softmax((l + G)/τ) with G = -log E: the kernel agrees with a direct evaluation."""
    from scipy.special import log_softmax

    from gumbelcli.sampling import exponential_noise, relax

    logits = np.log([0.1, 0.2, 0.3, 0.4])
    noise = exponential_noise(np.random.default_rng(5), 500, 4)
    taus = np.array([0.2, 1.0, 3.0])
    y = relax(noise, logits, taus)
    log_y = relax(noise, logits, taus, log=True)
    scaled = (logits - np.log(noise))[:, None, :] / taus[None, :, None]
    np.testing.assert_allclose(y, softmax(scaled), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(log_y, log_softmax(scaled, axis=-1), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("k", [3, SMALL_K + 84])
def test_exact_power_path_agrees_with_log_space(k):
    """τ = 1/j (j whole, up to MAX_POWER) computes y = q^j / Σ q^j from race ratios, without exp/log."""
    from gumbelcli.sampling import MAX_POWER, exponential_noise, relax

    logits = np.log(np.random.default_rng(k).dirichlet(np.ones(k)))
    noise = exponential_noise(np.random.default_rng(7), 2000, k)
    noise[5, 1] = 0.0  # an exact 0 variate: both paths must stay finite
    taus = np.array([1.0, 0.5, 0.1, 1 / 3, 1 / MAX_POWER, 2.0, 0.3])
    fast = relax(noise, logits, taus)
    log_space = np.exp(relax(noise, logits, taus, log=True))
    assert np.isfinite(fast).all()
    np.testing.assert_allclose(fast, log_space, rtol=1e-12, atol=1e-300)
    assert np.abs(fast.sum(axis=-1) - 1).max() <= 1e-12


@pytest.mark.parametrize("tau", [1e-3, 1e6, 1.0, 0.5])  # 1 and 0.5 take the exact-power path for y
@pytest.mark.parametrize("log", [False, True])
def test_extremes_are_finite(tau, log):
    """τ = 1e-3 with logits spread over ±1e4, and τ = 1e6: no NaN, no inf, anywhere."""
    y, log_prob = gumbelcli.relax(logits=EXTREME_LOGITS, n=3000, tau=tau, seed=1, log=log, log_prob=True)
    assert np.isfinite(y).all() and np.isfinite(log_prob).all()
    values = np.exp(y) if log else y
    assert np.abs(values.sum(axis=-1) - 1).max() <= 1e-12
    if not log:
        plain = gumbelcli.relax(logits=EXTREME_LOGITS, n=3000, tau=tau, seed=1)  # without --log-prob
        np.testing.assert_allclose(plain, y, rtol=1e-12, atol=1e-300)


def test_categories_whose_probability_underflows_still_relax():
    """exp(-2e4) is 0 in float64 but log p is finite: at τ = 1e6 those coordinates are near 1/K."""
    logits = np.array([-1e4, 0.0, 1e4])
    y = gumbelcli.relax(logits=logits, n=200, tau=1e6, seed=2)
    np.testing.assert_allclose(y, np.broadcast_to(softmax(logits / 1e6), y.shape), atol=1e-4)
    log_y = gumbelcli.relax(logits=logits, n=200, tau=1e-3, seed=2, log=True)
    assert np.isfinite(log_y).all() and (log_y[:, 0] < -1e7).all()  # y underflows, log y does not


def test_large_tau_gives_the_centre_of_the_simplex():
    y = gumbelcli.relax([0.05, 0.15, 0.3, 0.5], n=1000, tau=1e6, seed=3)
    assert np.abs(y - 0.25).max() < 1e-4


def test_small_tau_gives_vertices():
    y = gumbelcli.relax([0.2, 0.3, 0.5], n=1000, tau=1e-3, seed=3)
    # y2 > 1e-9 needs the two largest l + G within 0.02 of each other: about 2% of the draws
    assert (y.max(axis=1) > 1 - 1e-9).mean() > 0.95 and y.max(axis=1).mean() > 0.995


def test_zero_probability_categories():
    y, lp = gumbelcli.relax([0.3, 0.0, 0.7], n=500, tau=[0.5, 2], seed=4, log_prob=True)
    assert (y[..., 1] == 0).all() and np.isfinite(lp).all()
    log_y = gumbelcli.relax(logits=[0.0, -np.inf, 1.0], n=500, tau=0.5, seed=4, log=True)
    assert (log_y[:, 1] == -np.inf).all() and np.isfinite(log_y[:, [0, 2]]).all()


def test_one_category_of_positive_probability():
    y, lp = gumbelcli.relax([0.0, 1.0], n=10, tau=0.3, seed=1, log_prob=True)
    assert (y == [0.0, 1.0]).all() and (lp == 0).all()


@pytest.mark.parametrize("weights", [[0.2, 0.3, 0.5], list(np.linspace(1, 3, 20)), [[0.1, 0.0, 0.9], [1, 1, 1]]])
def test_hard_and_argmax_are_the_gumbel_max_draws(weights):
    """--hard, and the argmax of y at every τ, are exactly `gumbel sample`'s draws for the seed."""
    draws = gumbelcli.sample(weights, n=3000, seed=11, threads=2)
    hard = gumbelcli.relax(weights, n=3000, tau=[0.5, 4.0], seed=11, hard=True, threads=3)
    assert set(np.unique(hard)) <= {0.0, 1.0} and (hard.sum(axis=-1) == 1).all()
    assert np.array_equal(hard.argmax(axis=-1), np.repeat(draws[..., None], 2, axis=-1))
    soft = gumbelcli.relax(weights, n=3000, tau=[0.5, 4.0], seed=11)
    assert np.array_equal(soft.argmax(axis=-1), hard.argmax(axis=-1))


def test_every_tau_shares_the_noise():
    """A list of τ gives, slice by slice, what each τ alone gives with the same seed."""
    taus = [0.1, 1.0, 10.0]
    together = gumbelcli.relax([0.2, 0.3, 0.5], n=400, tau=taus, seed=8, log=True)
    for t, tau in enumerate(taus):
        alone = gumbelcli.relax([0.2, 0.3, 0.5], n=400, tau=tau, seed=8, log=True)
        assert np.array_equal(together[:, t], alone)
    # log y · τ differs between temperatures by a constant per sample: the same (l + G).
    spread = together * np.array(taus)[:, None]
    diff = spread[:, 0] - spread[:, 1]
    assert np.abs(diff - diff[:, :1]).max() < 1e-9


def test_threads_do_not_change_the_samples():
    weights = np.linspace(1, 2, 1000)  # 1048 samples per chunk: n = 5000 is five chunks
    one = gumbelcli.relax(weights, n=5000, tau=[0.5, 2], seed=3, threads=1)
    three = gumbelcli.relax(weights, n=5000, tau=[0.5, 2], seed=3, threads=3)
    assert np.array_equal(one, three)


def test_no_noise_is_the_deterministic_softmax():
    logits = np.array([0.0, -1.0, -2.0])
    y = gumbelcli.relax(logits=logits, n=50, tau=[0.5, 2.0], seed=1, noise=False)
    for t, tau in enumerate([0.5, 2.0]):
        np.testing.assert_allclose(y[:, t], np.broadcast_to(softmax(logits / tau), (50, 3)), rtol=1e-14)


@pytest.mark.parametrize("tau", [0.1, 1.0, 10.0])
def test_argmax_is_categorical_at_every_tau(tau):
    from scipy import stats

    p = np.array([0.05, 0.15, 0.3, 0.5])
    y = gumbelcli.relax(p, n=40_000, tau=tau, seed=21)
    counts = np.bincount(y.argmax(axis=1), minlength=4)
    assert stats.chisquare(counts, 40_000 * p).pvalue > P_MIN


@pytest.mark.parametrize("tau", [0.3, 1.0, 4.0])
def test_relaxed_values_follow_the_concrete_distribution(tau):
    """K = 2: log(y1 / y2) = (l1 - l2 + G1 - G2)/τ ~ Logistic((l1 - l2)/τ, 1/τ) (Kolmogorov-Smirnov)."""
    from scipy import stats

    logits = np.array([0.7, -0.4])
    log_y = gumbelcli.relax(logits=logits, n=20_000, tau=tau, seed=31, log=True)
    ratio = log_y[:, 0] - log_y[:, 1]
    law = stats.logistic(loc=(logits[0] - logits[1]) / tau, scale=1 / tau)
    assert stats.kstest(ratio, law.cdf).pvalue > P_MIN


def test_verify_theory_property_5():
    """`gumbel verify --theory` checks the argmax of relaxed samples at τ = 0.1, 1 and 10."""
    from gumbelcli.verification import THEORY_CHECKS, check_relaxed_argmax, run_theory

    assert check_relaxed_argmax in THEORY_CHECKS
    result = run_theory(n=20_000, seed=3, checks=[check_relaxed_argmax])
    assert [c.prop for c in result.checks] == ["5"] * 6 and result.ok  # Holm over 6: false alarm <= 1%
    assert {c.distribution.split("τ = ")[1] for c in result.checks} == {"0.1", "1", "10"}
    data = json.loads(ok(["verify", "--theory", "-n", "5000", "--seed", "1", "-F", "json"]).stdout)
    assert [c["ok"] for c in data["checks"] if c["property"] == "5"] == [True] * 6


def test_property_5_rejects_a_wrong_relaxation(monkeypatch):
    """The check has power: a kernel that relaxes softmax(2 l) instead of softmax(l) is rejected."""
    from gumbelcli import verification
    from gumbelcli.sampling import relax

    monkeypatch.setattr(verification, "relax", lambda noise, log_probs, taus: relax(noise, 2 * log_probs, taus))
    result = verification.run_theory(n=20_000, seed=3, checks=[verification.check_relaxed_argmax])
    assert not result.ok and any(result.check_rejected(i) for i in range(len(result.checks)))


# --------------------------------------------------------------------------------------------
# densities (REFERENCE §5)


def one_dim_density(x: float, alpha: float, tau: float) -> float:
    """K = 2: p(x) = τ α x^(-τ-1) (1-x)^(-τ-1) / (α x^(-τ) + (1-x)^(-τ))², α = α1 / α2."""
    return tau * alpha * x ** (-tau - 1) * (1 - x) ** (-tau - 1) / (alpha * x**-tau + (1 - x) ** -tau) ** 2


@pytest.mark.parametrize("alpha", [1.0, 3.0, 0.2])
@pytest.mark.parametrize("tau", [0.25, 1.0, 2.5])
def test_k2_density_is_the_one_dimensional_closed_form(alpha, tau):
    from scipy import stats

    logits = [math.log(alpha), 0.0]
    for x in (0.01, 0.2, 0.5, 0.77, 0.999):
        got = float(concrete_log_density([x, 1 - x], logits, tau))
        assert got == pytest.approx(math.log(one_dim_density(x, alpha, tau)), rel=1e-12, abs=1e-12)
        # the logistic form: logit(x) ~ Logistic(log α / τ, 1 / τ), and dx = x(1-x) d logit(x)
        logistic = stats.logistic(loc=math.log(alpha) / tau, scale=1 / tau).logpdf(math.log(x / (1 - x)))
        assert got == pytest.approx(logistic - math.log(x * (1 - x)), rel=1e-10, abs=1e-10)


@pytest.mark.parametrize(
    "x, alpha, tau, expected",
    [
        ([0.3, 0.7], [1, 1], 1.0, 1.0),  # K = 2, τ = 1, equal α: uniform on (0, 1)
        ([0.5, 0.5], [3, 1], 1.0, 0.75),  # K = 2, τ = 1: p(x) = 3 / (3 - 2x)²
        ([1 / 3, 1 / 3, 1 / 3], [1, 1, 1], 1.0, 2.0),  # 2! τ² Π x^-2 / (Σ x^-1)³ = 2 · 729 / 729
        ([0.5, 0.25, 0.25], [1, 1, 2], 1.0, 512 / 343),  # 2 · (4 · 16 · 32) / 14³
        ([0.5, 0.25, 0.25], [1, 1, 1], 2.0, 4096 / 729),  # 2 · 4 · (8 · 64 · 64) / 36³
    ],
)
def test_density_on_hand_computed_cases(x, alpha, tau, expected):
    logits = np.log(alpha)
    assert float(concrete_log_density(x, logits, tau)) == pytest.approx(math.log(expected), rel=1e-13, abs=1e-13)
    exp_form = float(expconcrete_log_density(np.log(x), logits, tau))
    assert exp_form == pytest.approx(math.log(expected) + float(np.sum(np.log(x))), rel=1e-13)


@pytest.mark.parametrize("alpha, tau", [(1.0, 1.0), (4.0, 0.5), (0.3, 2.0), (20.0, 0.7)])
def test_k2_density_integrates_to_one(alpha, tau):
    from scipy import integrate

    logits = [math.log(alpha), 0.0]

    def density(x: float) -> float:
        return math.exp(float(concrete_log_density([x, 1 - x], logits, tau)))

    # Split at 1/2 so each piece has its one integrable singularity at an end (τ < 1).
    total = sum(integrate.quad(density, a, b, limit=200, epsabs=1e-11, epsrel=1e-11)[0] for a, b in [(0, 0.5), (0.5, 1)])
    assert total == pytest.approx(1.0, abs=1e-7)


@pytest.mark.parametrize("alpha, tau", [(1.0, 1.0), (4.0, 0.5), (20.0, 0.2), (0.01, 0.05), (3.0, 50.0)])
def test_k2_density_integrates_to_one_over_the_logit(alpha, tau):
    """The same integral after x = σ(u): ∫ p_Concrete(x) dx = ∫ p_ExpConcrete(log x) du, smooth at any τ."""
    from scipy import integrate

    logits = [math.log(alpha), 0.0]
    centre = math.log(alpha) / tau  # the mode of logit(x) ~ Logistic(log α / τ, 1 / τ)

    def density(u: float) -> float:
        log_x = [-math.log1p(math.exp(-u)) if u > 0 else u - math.log1p(math.exp(u)), 0.0]
        log_x[1] = log_x[0] - u  # log(1 - x) = log x - logit(x)
        return math.exp(float(expconcrete_log_density(log_x, logits, tau)))

    total = sum(integrate.quad(density, a, b, limit=200, epsabs=1e-12)[0] for a, b in [(-np.inf, centre), (centre, np.inf)])
    assert total == pytest.approx(1.0, abs=1e-8)


@pytest.mark.parametrize("log", [False, True])
def test_sampler_log_prob_is_the_density_of_its_sample(log):
    """--log-prob comes from the noise (change of variables); it equals §5 evaluated on the sample."""
    logits = np.log([0.1, 0.2, 0.3, 0.4])
    taus = [0.5, 1.0, 3.0]
    samples, log_prob = gumbelcli.relax(logits=logits, n=300, tau=taus, seed=6, log=log, log_prob=True)
    for t, tau in enumerate(taus):
        if log:
            expected = expconcrete_log_density(samples[:, t], logits, tau)
        else:
            expected = concrete_log_density(samples[:, t], logits, tau)
        np.testing.assert_allclose(log_prob[:, t], expected, rtol=1e-9, atol=1e-9)


def test_no_noise_log_prob_is_the_density_at_the_softmax():
    logits = np.log([0.2, 0.3, 0.5])
    y, lp = gumbelcli.relax(logits=logits, n=3, tau=0.7, seed=1, noise=False, log_prob=True)
    np.testing.assert_allclose(lp, concrete_log_density(y, logits, 0.7), rtol=1e-12)


def test_density_at_the_extremes_is_finite():
    log_y, lp = gumbelcli.relax(logits=EXTREME_LOGITS, n=500, tau=1e-3, seed=9, log=True, log_prob=True)
    assert np.isfinite(lp).all()
    np.testing.assert_allclose(lp, expconcrete_log_density(log_y, EXTREME_LOGITS, 1e-3), rtol=1e-6, atol=1e-6)


# --------------------------------------------------------------------------------------------
# temperatures and the Python API


def test_parse_taus():
    assert parse_taus("0.5") == (0.5,)
    assert parse_taus(" 0.1, 1,10 ") == (0.1, 1.0, 10.0)
    assert parse_taus("1e-3,1e6") == (1e-3, 1e6)


@pytest.mark.parametrize(
    "text, words",
    [
        ("0", ["'0'", "not positive", "--hard"]),
        (" -1", ["'-1'", "not positive"]),
        ("nan", ["'nan'", "NaN"]),
        ("inf", ["'inf'", "infinite"]),
        ("1e400", ["'1e400'", "overflows"]),
        ("abc", ["'abc'", "not a number"]),
        ("0.5,,1", ["item 2", "empty"]),
        ("0.1,x,1", ["item 2", "'x'", "not a number"]),
        ("1,2,-3", ["item 3", "'-3'", "not positive"]),
        ("", ["empty"]),
        ("1e-320", ["'1e-320'", "below 1e-100"]),  # found by tests/test_fuzz.py: NaN samples and warnings
        ("0.5,1e-101", ["item 2", "below 1e-100", "--hard"]),
    ],
)
def test_parse_taus_refuses(text, words):
    with pytest.raises(InputError) as info:
        parse_taus(text)
    message = str(info.value)
    assert all(w in message for w in words), message
    assert "--tau accepts positive finite temperatures" in message


@pytest.mark.parametrize("tau", [0, -1.0, float("nan"), float("inf"), [], [[1.0]], "abc", [1.0, 0.0], 1e-320, [1.0, 1e-200]])
def test_api_refuses_bad_tau(tau):
    with pytest.raises(InputError):
        check_taus(tau)


@pytest.mark.parametrize("log, log_prob", [(False, False), (True, False), (False, True), (True, True)])
def test_the_smallest_tau_gives_finite_samples_and_no_warning(log, log_prob):
    """Regression (tests/test_fuzz.py): τ = 1e-320 gave NaN samples and RuntimeWarnings on stderr;
    τ below 1e-100 is now refused, and at 1e-100 everything is finite, without a warning."""
    import warnings

    from gumbelcli.relaxation import TAU_MIN

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = gumbelcli.relax([1e-300, 0.3, 0.7, 0.0], n=2000, tau=[TAU_MIN, 1.0], seed=4, log=log, log_prob=log_prob)
    y, density = out if log_prob else (out, None)
    assert np.isfinite(y[..., :3]).all()  # the last category has probability 0: y = 0, log y = -inf
    assert density is None or np.isfinite(density).all()


@pytest.mark.parametrize("tau", [0.5, 0.25, 1.0, 0.3])  # the exact-power paths (1/τ whole) and log space
def test_weights_spanning_the_whole_float_range_relax_without_a_warning(tau):
    """Regression (tests/test_fuzz.py): weights 1 and 1e308 made E / p overflow in the exact-power
    path, a RuntimeWarning on stderr (the samples were right: the tiny categories get y = 0)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = gumbelcli.relax([1, 1, 1, 1, 1e308], n=3000, tau=tau, seed=1)
    assert np.isfinite(y).all() and np.allclose(y.sum(axis=1), 1.0)
    assert (y[:, 4] == 1.0).all()


def test_api_shapes_and_options():
    assert gumbelcli.relax([1, 1, 2], n=7, tau=0.5).shape == (7, 3)
    assert gumbelcli.relax([1, 1, 2], n=7, tau=[0.5]).shape == (7, 1, 3)
    assert gumbelcli.relax([[1, 1, 2], [1, 0, 0]], n=7, tau=0.5).shape == (2, 7, 3)
    y, lp = gumbelcli.relax([[1, 1, 2], [1, 0, 1]], n=7, tau=[0.5, 1], log_prob=True)
    assert y.shape == (2, 7, 2, 3) and lp.shape == (2, 7, 2)
    for bad in [{"hard": True, "log": True}, {"hard": True, "log_prob": True}, {"n": 0}, {"seed": -1}]:
        with pytest.raises(InputError):
            gumbelcli.relax([1, 2], **{"n": 3, "tau": 1.0, **bad})


# --------------------------------------------------------------------------------------------
# the command: output layouts


def test_plain_is_one_sample_per_line_at_full_precision():
    out = ok(["relax", "0.2", "0.3", "0.5", "--tau", "0.5", "-n", "50", "--seed", "4"]).stdout
    lines = out.splitlines()
    assert len(lines) == 50
    values = np.array([[float(v) for v in line.split(" ")] for line in lines])
    expected = gumbelcli.relax([0.2, 0.3, 0.5], n=50, tau=0.5, seed=4)
    assert np.array_equal(values, expected)  # shortest round-trip repr: exact


def test_several_taus_and_a_batch_in_text():
    args = ["relax", "--tau", "0.1,1", "-n", "3", "--seed", "2", "--format", "csv", "--labels", "a,b,c"]
    out = ok([*args, "--file", "-"], input="1 2 3\n0 1 1\n").stdout
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["row", "tau", "a", "b", "c"]
    body = np.array(rows[1:], dtype=float)
    assert body.shape == (2 * 3 * 2, 5)
    assert body[:, 0].tolist() == [1] * 6 + [2] * 6
    assert body[:, 1].tolist() == [0.1, 1.0] * 6  # the lines of one draw at each τ follow each other
    expected = gumbelcli.relax([[1, 2, 3], [0, 1, 1]], n=3, tau=[0.1, 1], seed=2)
    assert np.array_equal(body[:, 2:], expected.reshape(-1, 3))
    tsv = ok(["relax", "1", "2", "--tau", "0.5,2", "-n", "2", "--seed", "2", "--format", "tsv", "--log-prob"]).stdout
    assert tsv.splitlines()[0] == "tau\t0\t1\tlog_prob" and len(tsv.splitlines()[1].split("\t")) == 4


def test_plain_with_log_prob_and_minus_inf():
    out = ok(["relax", "--logits", "0", "-inf", "1", "--tau", "2", "-n", "4", "--seed", "1", "--log", "--log-prob"]).stdout
    for line in out.splitlines():
        fields = line.split(" ")
        assert len(fields) == 4 and fields[1] == "-inf" and math.isfinite(float(fields[3]))


def test_json_and_jsonl():
    base = ["relax", "a=1", "b=3", "--tau", "0.5,2", "-n", "3", "--seed", "5"]
    lines = ok([*base, "--format", "jsonl", "--log-prob"]).stdout.splitlines()
    objects = [json.loads(line) for line in lines]
    assert len(objects) == 6 and set(objects[0]) == {"tau", "y", "log_prob"}
    assert [o["tau"] for o in objects] == [0.5, 2.0] * 3
    y, lp = gumbelcli.relax([1, 3], n=3, tau=[0.5, 2], seed=5, log_prob=True)
    assert np.array_equal([o["y"] for o in objects], y.reshape(-1, 2))
    assert np.array_equal([o["log_prob"] for o in objects], lp.reshape(-1))
    doc = json.loads(ok([*base, "--format", "json", "--log"]).stdout)
    assert len(doc) == 6 and "log_y" in doc[0]
    with_report = json.loads(ok([*base, "--format", "json", "--report"]).stdout)
    assert len(with_report["samples"]) == 6 and len(with_report["report"]["rows"][0]["taus"]) == 2
    zero = json.loads(ok(["relax", "1", "0", "--tau", "1", "-n", "1", "--log", "--format", "jsonl"]).stdout)
    assert zero["log_y"][1] == "-inf"  # JSON has no -inf: the project writes it as a string


def test_text_is_written_in_blocks_that_join_up():
    """A chunk is formatted a few thousand lines at a time; the pieces must make one document."""
    doc = json.loads(ok(["relax", "1", "3", "--tau", "0.5,2", "-n", "40000", "--seed", "2", "--format", "json"]).stdout)
    y = gumbelcli.relax([1, 3], n=40_000, tau=[0.5, 2], seed=2)
    assert len(doc) == 80_000 and np.array_equal([o["y"] for o in doc], y.reshape(-1, 2))


def test_table_to_a_file(tmp_path):
    path = tmp_path / "report.txt"
    ok(["relax", "0.2", "0.8", "--tau", "0.5", "-n", "100", "--seed", "1", "--format", "table", "--output", path])
    assert "mean max y" in path.read_text() and "\x1b[" not in path.read_text()


@pytest.mark.parametrize(
    "args, shape",
    [
        (["0.2", "0.8", "--tau", "1"], (6, 2)),
        (["0.2", "0.8", "--tau", "1,2,3"], (6, 3, 2)),
        (["--file", "-", "--tau", "1"], (2, 6, 3)),
        (["--file", "-", "--tau", "0.5,1"], (2, 6, 2, 3)),
    ],
)
def test_npy_shapes(args, shape):
    out = ok(["relax", *args, "-n", "6", "--seed", "1", "--format", "npy"], input="1 2 3\n3 2 1\n").stdout_bytes
    assert np.load(io.BytesIO(out)).shape == shape


def test_npy_with_log_prob_is_a_structured_array():
    arr = npy(["relax", "1", "2", "3", "--tau", "0.5,2", "-n", "5", "--seed", "3", "--log", "--log-prob"])
    assert arr.shape == (5, 2) and arr.dtype.names == ("log_y", "log_prob") and arr["log_y"].shape == (5, 2, 3)
    log_y, lp = gumbelcli.relax([1, 2, 3], n=5, tau=[0.5, 2], seed=3, log=True, log_prob=True)
    assert np.array_equal(arr["log_y"], log_y) and np.array_equal(arr["log_prob"], lp)


def test_output_file_and_threads():
    args = ["relax", *map(str, np.linspace(1, 2, 1000)), "--tau", "0.5", "-n", "3000", "--seed", "3", "--format", "npy"]
    one = ok([*args, "--threads", "1"]).stdout_bytes
    assert ok([*args, "--threads", "3"]).stdout_bytes == one  # byte-identical whatever --threads


def test_output_path(tmp_path):
    path = tmp_path / "y.npy"
    ok(["relax", "1", "2", "--tau", "1", "-n", "4", "--seed", "2", "--format", "npy", "--output", path])
    assert np.array_equal(np.load(path), gumbelcli.relax([1, 2], n=4, tau=1.0, seed=2))
    assert [p.name for p in tmp_path.iterdir()] == ["y.npy"]


def test_hard_is_the_sample_command_byte_for_byte():
    for values in (["0.1", "0.2", "0.7"], [str(w) for w in np.linspace(1, 3, 20)]):
        draws = np.load(io.BytesIO(ok(["sample", *values, "-n", "4000", "--seed", "13", "--format", "npy"]).stdout_bytes))
        hard = npy(["relax", *values, "--tau", "0.7", "-n", "4000", "--seed", "13", "--hard"])
        assert hard.dtype == np.float64 and np.array_equal(hard.argmax(axis=1), draws)


# --------------------------------------------------------------------------------------------
# the command: the report


def test_table_report_per_tau():
    out = ok(["relax", "red=0.2", "green=0.3", "blue=0.5", "--tau", "0.1,1,10", "-n", "20000", "--seed", "1", "--format", "table"]).stdout
    assert "mean max y" in out and "mean entropy" in out and "mean dist to vertex" in out
    assert out.count("consistent") >= 3 and "REJECTED" not in out
    text = " ".join(out.split())  # the console wraps long lines
    assert "The same noise serves every τ" in text and "Euclidean distance from y to the vertex" in text


def test_report_shows_the_deterministic_softmax_never_moves():
    out = ok(["relax", "0.2", "0.3", "0.5", "--tau", "0.5,2", "-n", "2000", "--seed", "1", "--no-noise", "--format", "table"]).stdout
    text = " ".join(out.split())
    assert "REJECTED" in text and "never moves" in text and "not a sampler" in text


def test_report_goes_to_stderr_when_data_is_piped():
    result = run(["relax", "0.2", "0.8", "--tau", "0.5", "-n", "100", "--seed", "1", "--report"])
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 100
    assert "mean max y" in result.stderr and "mean max y" not in result.stdout


def test_report_means_at_the_limits():
    doc = json.loads(ok(["relax", "1", "1", "1", "1", "--tau", "1e-3,1e6", "-n", "2000", "--seed", "3", "--format", "json", "--report"]).stdout)
    cold, hot = doc["report"]["rows"][0]["taus"]
    assert cold["mean_max"] > 0.99 and cold["mean_entropy"] < 0.01 and cold["mean_vertex_distance"] < 0.01
    assert hot["mean_max"] == pytest.approx(0.25, abs=1e-4) and hot["mean_entropy"] == pytest.approx(math.log(4), abs=1e-6)
    assert hot["mean_vertex_distance"] == pytest.approx(math.sqrt(0.75), abs=1e-4)  # ‖1/K - e_j‖ = √((K-1)/K)


# --------------------------------------------------------------------------------------------
# the command: bad input


@pytest.mark.parametrize(
    "args, words",
    [
        (["0.2", "0.8"], ["--tau"]),
        (["0.2", "0.8", "--tau", "0"], ["--tau", "'0'", "not positive"]),
        (["0.2", "0.8", "--tau", "-1"], ["'-1'", "not positive"]),
        (["0.2", "0.8", "--tau", "nan"], ["NaN"]),
        (["0.2", "0.8", "--tau", "inf"], ["infinite"]),
        (["0.2", "0.8", "--tau", "0.5,abc"], ["item 2", "'abc'"]),
        (["0.2", "0.8", "--tau", "1", "--hard", "--log"], ["--hard", "--log"]),
        (["0.2", "0.8", "--tau", "1", "--hard", "--log-prob"], ["--hard", "--log-prob"]),
        (["0.2", "0.8", "--tau", "1", "-n", "0"], ["-n"]),
        (["0.2", "-0.8", "--tau", "1"], ["-0.8"]),
        (["--tau", "1"], ["pass VALUES"]),
        (["0.2", "0.8", "--tau", "1", "--seed", "-3"], ["--seed"]),
        (["0.2", "0.8", "--tau", "1", "--threads", "0"], ["--threads"]),
        (["0.2", "0.8", "--tau", "1", "--format", "xml"], ["xml"]),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, words):
    result = run(["relax", *args])
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert_one_line_error(result.stderr)
    assert all(w in result.stderr for w in words), result.stderr


# --------------------------------------------------------------------------------------------
# the shell


def test_shell_pipelines(tmp_path):
    py = sys.executable
    load = "import io, sys, numpy as np; a = np.load(io.BytesIO(sys.stdin.buffer.read()))"  # a pipe cannot seek
    result = shell(
        f"set -e; cd {shlex.quote(str(tmp_path))}\n"
        "gumbel relax --logits 1e4 0 -1e4 --tau 0.001,1e6 -n 1000 --seed 5 --log --format npy"
        f" | {py} -c '{load}; assert a.shape == (1000, 2, 3) and np.isfinite(a).all(); print(a.shape)'\n"
        "echo '0.2 0.3 0.5' | gumbel relax --tau 0.5 -n 7 --seed 2 --log-prob --format npy"
        f" | {py} -c '{load}; print(a.dtype.names, a.shape)'\n"
        "gumbel sample 0.2 0.3 0.5 -n 5000 --seed 9 --format npy > draws.npy\n"
        "gumbel relax 0.2 0.3 0.5 --tau 3 --hard -n 5000 --seed 9 --format npy"
        f" | {py} -c '{load}; print(bool((a.argmax(1) == np.load(\"draws.npy\")).all()))'\n"
        "set +e +o pipefail\n"
        "gumbel relax 0.5 0.5 --tau 1 -n 1e7 --seed 1 | head -n 2 | wc -l; echo \"status ${PIPESTATUS[0]}\"\n",
    )
    assert result.returncode == 0, result.stderr.decode()
    lines = result.stdout.decode().splitlines()
    assert lines == ["(1000, 2, 3)", "('y', 'log_prob') (7,)", "True", "2", "status 141"]
    assert result.stderr == b""  # the closed pipe ends the program quietly


def test_help_does_not_import_scipy():
    result = shell(f"{sys.executable} -c \"import sys; from gumbelcli.cli import app; from typer.testing import CliRunner; "
                   "r = CliRunner().invoke(app, ['relax', '--help']); assert r.exit_code == 0; "
                   "print('scipy' in sys.modules)\"")
    assert result.stdout.decode().strip() == "False", result.stderr.decode()


def test_a_long_argmax_table_points_to_where_every_count_is():
    # relax has no --counts: the full argmax counts are those of gumbel sample with the same seed
    result = ok(["relax", *range(1, 41), "--tau", "1", "-n", "1000", "--seed", "1", "-F", "table"])
    assert "most deviant of 40 categories; gumbel sample --counts" in " ".join(result.stdout.split())
