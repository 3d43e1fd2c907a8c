"""Draws without replacement (``-k K --without-replacement``, Gumbel-top-k) and ``--temperature``.

Kernel and engine (exact equalities: column 1 is the Gumbel-max draw, the k smallest race values
in order), the Plackett–Luce probabilities, every output format and its reading back, the CLI's
errors, a real shell pipeline, and the tests of ``gumbel verify -k``: that they pass correct draws
and reject wrong ones.

Every statistical assertion runs with a fixed seed, so its outcome is deterministic; each comment
"false alarm" gives the probability that it would fail for a *correct* implementation if the seed
were drawn at random.
"""

from __future__ import annotations

import csv
import io
import itertools
import json

import numpy as np
import pytest
from scipy import stats as sps

import gumbelcli
from gumbelcli.engine import GumbelMaxSampler, TopKSampler, check_k
from gumbelcli.errors import InputError
from gumbelcli.inputs import apply_temperature, parse_temperature, target_from_logits, target_from_probs
from gumbelcli.sampling import Workspace, exponential_noise, gumbel_max, gumbel_topk
from gumbelcli.topk import loo_logsumexp, ordered_tuples, second_position_probs
from gumbelcli.verification import read_topk_samples, verify_topk_draws, verify_topk_engine

from conftest import assert_one_line_error, ok, run, shell, small_chunks

P4 = [0.1, 0.2, 0.3, 0.4]
WR = ["--without-replacement"]





def plackett_luce(p, pair):
    """P(i_1..i_k) = Π_j p_{i_j} / (1 - Σ_{l<j} p_{i_l}), written out directly."""
    p = np.asarray(p, dtype=float) / np.sum(p)
    prob, taken = 1.0, 0.0
    for i in pair:
        prob *= p[i] / (1.0 - taken)
        taken += p[i]
    return prob


# --------------------------------------------------------------------------------------------
# the kernel


@pytest.mark.parametrize("K", [2, 3, 9, 15, 16, 40, 1000, 1001, 5003])
def test_first_column_is_the_gumbel_max_draw_for_the_same_seed(K):
    p = np.random.default_rng(K).random(K) + 0.05
    inv = 1.0 / (p / p.sum())
    m = max(1, (1 << 15) // K)
    plain = gumbel_max(np.random.default_rng(7), inv, m, Workspace())
    for k in sorted({1, 2, min(5, K), K}):
        draws = gumbel_topk(np.random.default_rng(7), inv, m, k, Workspace())
        assert draws.shape == (m, k)
        assert np.array_equal(draws[:, 0], plain), k


@pytest.mark.parametrize("K,k", [(16, 3), (40, 39), (1000, 2), (1001, 7), (5003, 10), (20000, 4)])
def test_kernel_is_the_k_smallest_race_values_in_order(K, k):
    # The partial sort (strided blocks, argpartition) must agree with a full sort of the same noise.
    p = np.random.default_rng(K).random(K) + 0.01
    inv = 1.0 / (p / p.sum())
    m = max(1, (1 << 16) // K)
    draws = gumbel_topk(np.random.default_rng(3), inv, m, k, Workspace())
    race = exponential_noise(np.random.default_rng(3), m, K) * inv
    assert np.array_equal(draws, np.argsort(race, axis=1, kind="stable")[:, :k])


def test_engine_first_column_equals_gumbel_sample_and_every_draw_is_distinct():
    target = target_from_probs([[0.1, 0.0, 0.3, 0.6, 0.2], [5, 1, 1, 1, 1]])
    with small_chunks():
        top = TopKSampler(target, 500, seed=11, k=4)
        plain = GumbelMaxSampler(target, 500, seed=11)
        draws = np.concatenate(list(top.chunks(top.draw_chunk, 1)))
        singles = np.concatenate(list(plain.chunks(plain.draw_chunk, 1)))
    assert draws.shape == (500, 2, 4)
    assert np.array_equal(draws[:, :, 0], singles)
    ordered = np.sort(draws, axis=2)
    assert (ordered[:, :, 1:] != ordered[:, :, :-1]).all()  # no category twice in a draw


def test_zero_weight_categories_are_never_drawn_even_when_k_takes_every_other_one():
    probs = [0.3, 0.0, 0.45, 0.0, 0.25, 0.0]
    draws = gumbelcli.sample(probs, n=20_000, k=3, replace=False, seed=2)
    assert set(np.unique(draws)) == {0, 2, 4}
    assert (np.sort(draws, axis=1) == [0, 2, 4]).all()  # each draw is a permutation of the support
    logits = gumbelcli.sample(logits=[0.0, -np.inf, 1.0, -np.inf], n=5000, k=2, replace=False, seed=2)
    assert set(np.unique(logits)) == {0, 2}


def test_threads_do_not_change_a_single_byte():
    args = ["sample", "a=1", "b=2", "c=3", "d=4", "e=0.5", "-n", "700", "-k", "3", *WR, "--seed", "5"]
    with small_chunks():
        for fmt in ("plain", "csv", "json", "npy"):
            one = run(args + ["-F", fmt, "-t", "1"])
            two = run(args + ["-F", fmt, "-t", "2"])
            assert one.exit_code == two.exit_code == 0
            assert one.stdout_bytes == two.stdout_bytes, fmt
        batch = ["sample", "-k", "2", *WR, "-n", "300", "--seed", "9", "-F", "npy"]
        assert run(batch + ["-t", "1"], "1 2 3\n3 2 1\n").stdout_bytes == run(batch + ["-t", "2"], "1 2 3\n3 2 1\n").stdout_bytes


def test_underflowed_categories_are_reached_in_log_space():
    # p = [1, e^-800, e^-801]: both tails underflow in float64 but a draw of 3 must hold them, the
    # second in position 2 with probability 1 / (1 + e^-1) = 0.731. False alarm: |z| > 4.5, ~1e-5.
    draws = gumbelcli.sample(logits=[0.0, -800.0, -801.0], n=40_000, k=3, replace=False, seed=4)
    assert (draws[:, 0] == 0).all()
    share = (draws[:, 1] == 1).mean()
    expected = 1 / (1 + np.exp(-1))
    assert abs(share - expected) < 4.5 * np.sqrt(expected * (1 - expected) / 40_000)
    result = verify_topk_engine(target_from_logits([0.0, -800.0, -801.0]), 3, n=40_000, seed=4)
    assert result.verdict == "pass"  # tuples in log space: (0,1,2) 0.731, (0,2,1) 0.269


# --------------------------------------------------------------------------------------------
# exact probabilities


def test_small_case_all_12_ordered_pairs_by_chi_square():
    # K = 2 of 4 categories: the 12 ordered pairs against P(i, j) = p_i p_j / (1 - p_i), a seeded
    # Pearson test at α = 0.001 (false alarm 0.1%).
    pairs, probs = ordered_tuples(np.log(P4), 2)
    assert len(pairs) == 12
    for pair, prob in zip(pairs.tolist(), probs):
        assert prob == pytest.approx(plackett_luce(P4, pair), rel=1e-12)
    n = 200_000
    draws = gumbelcli.sample(P4, n=n, k=2, replace=False, seed=12)
    index = {tuple(pair): c for c, pair in enumerate(pairs.tolist())}
    counts = np.bincount([index[(a, b)] for a, b in draws.tolist()], minlength=12)
    assert sps.chisquare(counts, n * probs).pvalue > 1e-3


def test_second_position_and_loo_logsumexp_are_exact():
    lp = np.log(np.array([0.5, 0.2, 0.2, 0.1]))
    pairs, probs = ordered_tuples(lp, 2)
    marginal = np.bincount(pairs[:, 1], weights=probs, minlength=4)
    assert second_position_probs(lp) == pytest.approx(marginal, rel=1e-12)
    # A category with almost all the mass: 1 - p would lose every digit, the log-space form keeps them.
    lp = np.log(np.array([1 - 2e-12, 1e-12, 1e-12]))
    assert np.exp(loo_logsumexp(lp)) == pytest.approx([2e-12, 1.0, 1.0], rel=1e-9)
    q = second_position_probs(lp)
    assert q == pytest.approx([2e-12, 0.5, 0.5], rel=1e-6)


def test_ordered_tuples_give_up_beyond_the_limit():
    assert ordered_tuples(np.zeros(200), 2) is None  # 39 800 > 20 000
    tuples, probs = ordered_tuples(np.zeros(5), 5)  # 120 permutations of a uniform target
    assert len(tuples) == 120 and probs == pytest.approx(np.full(120, 1 / 120))


# --------------------------------------------------------------------------------------------
# temperature


def test_temperature_one_is_the_identity():
    target = target_from_logits([0.5, -1.0, 2.0])
    assert apply_temperature(target, 1.0) is target
    base = ok(["sample", "--logits", "0.5", "-1", "2", "-n", "200", "--seed", "3"]).stdout
    assert ok(["sample", "--logits", "0.5", "-1", "2", "-n", "200", "--seed", "3", "--temperature", "1"]).stdout == base
    assert np.array_equal(
        gumbelcli.sample(logits=[0.5, -1.0, 2.0], n=300, seed=1, temperature=1.0),
        gumbelcli.sample(logits=[0.5, -1.0, 2.0], n=300, seed=1),
    )


def test_temperature_scales_logits_and_small_t_concentrates_on_the_argmax():
    t = apply_temperature(target_from_probs([0.2, 0.3, 0.5, 0.0]), 0.5)  # p^2, renormalised
    assert t.probs[0] == pytest.approx(np.array([0.04, 0.09, 0.25, 0.0]) / 0.38)
    for tiny in (1e-3, 1e-6, 1e-300):
        t = apply_temperature(target_from_logits([1.0, 2.0, 3.0, -np.inf]), tiny)
        assert not np.isnan(t.probs).any() and not np.isnan(t.log_probs).any()
        assert t.probs[0].tolist() == [0.0, 0.0, 1.0, 0.0] and t.log_probs[0, 3] == -np.inf
        assert (gumbelcli.sample(logits=[1.0, 2.0, 3.0], n=500, seed=0, temperature=tiny) == 2).all()
    # Without replacement, T → 0 orders the categories by logit, deterministically.
    draws = gumbelcli.sample(logits=[1.0, 2.0, 3.0], n=200, k=3, replace=False, seed=0, temperature=1e-6)
    assert (draws == [2, 1, 0]).all()
    # Tied maxima share the mass at small T. False alarm: |z| > 4.5, ~1e-5.
    tied = gumbelcli.sample(logits=[3.0, 3.0, 1.0], n=20_000, seed=5, temperature=1e-6)
    assert set(np.unique(tied)) == {0, 1} and abs((tied == 0).mean() - 0.5) < 4.5 * 0.5 / np.sqrt(20_000)
    # Large T flattens towards uniform.
    assert apply_temperature(target_from_logits([0.0, 5.0]), 1e6).probs[0] == pytest.approx([0.5, 0.5], abs=1e-5)


def test_tempered_draws_follow_the_tempered_target_and_the_report_says_so():
    # verify --temperature tests the engine against softmax(l / T). False alarm 1% (α = 0.01).
    result = run(["verify", "--logits", "2", "1", "0", "-0.5", "--temperature", "0.7", "-n", "2e5", "--seed", "2", "-F", "json"])
    assert result.exit_code == 0, result.stdout
    data = json.loads(result.stdout)
    assert data["temperature"] == 0.7 and any("T = 0.7" in note for note in data["notes"])
    expected = np.exp(np.array([2, 1, 0, -0.5]) / 0.7)
    probs = [c["prob"] for c in data["tests"][0]["categories"]]
    assert probs == pytest.approx(expected / expected.sum())
    report = ok(["sample", "--logits", "2", "1", "0", "--temperature", "0.5", "-n", "1000", "--counts", "-F", "json", "--seed", "1"])
    assert json.loads(report.stdout)["temperature"] == 0.5
    table = ok(["sample", "--logits", "2", "1", "0", "--temperature", "0.5", "-n", "1000", "-F", "table", "--seed", "1"])
    assert "softmax(log p / T) at T = 0.5" in table.stdout


@pytest.mark.parametrize(
    "value,fragment",
    [("0", "is zero"), ("-1", "is negative"), ("nan", "NaN"), ("inf", "is infinite"), ("1e400", "overflows"), ("hot", "not a number")],
)
def test_bad_temperature_is_one_line_and_exit_2(value, fragment):
    for command in (["sample", "0.2", "0.8"], ["verify", "0.2", "0.8"]):
        result = run([*command, "--temperature", value])
        assert result.exit_code == 2 and result.stdout == ""
        assert_one_line_error(result.stderr)
        assert "--temperature" in result.stderr and fragment in result.stderr and "positive finite" in result.stderr
    with pytest.raises(InputError, match="temperature"):
        gumbelcli.sample([0.2, 0.8], n=3, temperature=float(value) if value != "hot" else "hot")


# --------------------------------------------------------------------------------------------
# the command line: errors


BAD = [
    (["sample", *P4, "-k", "2"], "needs --without-replacement"),
    (["sample", *P4, *WR], "--without-replacement needs -k K"),
    (["sample", *P4, "-k", "0", *WR], "-k '0' is not positive"),
    (["sample", *P4, "-k", "two", *WR], "is not a positive integer"),
    (["sample", "0.5", "0", "0.5", "-k", "3", *WR], "-k 3 is more than the 2 categories of positive probability"),
    (["sample", "-k", "3", *WR], "in row 2"),  # stdin: a batch whose second row has two categories
    (["verify", "-k", "2", *WR], "applies to a target"),
    (["verify", "--temperature", "2"], "applies to a target"),
    (["verify", "-k", "2", *WR, "--theory"], "--theory"),
    (["verify", *P4, "-k", "2", *WR, "--samples", "-", "--counts"], "whole draws"),
    (["verify", *P4, "-k", "5", *WR], "-k 5 is more than the 4"),
    (["verify", *P4, "-k", "2", *WR, "--samples", "-"], "has 3 values but a draw holds 2 categories"),
    (["verify", *P4, "-k", "2", *WR, "--samples", "-"], "draw '7' at line 2, position 1"),
]
BAD_INPUT = {5: "1 2 3\n1 0 1\n", 11: "0 1\n2 3 1\n", 12: "0 1\n7 1\n"}


@pytest.mark.parametrize("case", range(len(BAD)))
def test_bad_usage_is_one_line_and_exit_2(case):
    args, fragment = BAD[case]
    result = run(args, BAD_INPUT.get(case))
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert_one_line_error(result.stderr)
    assert fragment in result.stderr, result.stderr


def test_api_errors():
    with pytest.raises(InputError, match="needs replace=False"):
        gumbelcli.sample(P4, n=3, k=2)
    with pytest.raises(InputError, match="replace=False needs k"):
        gumbelcli.sample(P4, n=3, replace=False)
    with pytest.raises(InputError, match="k=5 is more than the 4"):
        gumbelcli.sample(P4, n=3, k=5, replace=False)
    with pytest.raises(InputError, match="not a positive integer"):
        gumbelcli.sample(P4, n=3, k=1.5, replace=False)
    with pytest.raises(InputError):
        check_k(target_from_probs(P4), 0)


# --------------------------------------------------------------------------------------------
# the command line: formats and counts


LABELED = ["sample", "a=1", "b=2", "c=3", "d=4", "-n", "50", "-k", "3", *WR, "--seed", "8"]


def reference(n=50, k=3, seed=8, weights=P4):
    return gumbelcli.sample(weights, n=n, k=k, replace=False, seed=seed)


def test_plain_csv_tsv_json_jsonl_hold_the_api_draws():
    names = np.array(list("abcd"))
    expect = names[reference()].tolist()
    plain = ok(LABELED).stdout.splitlines()
    assert [line.split(" ") for line in plain] == expect
    rows = list(csv.reader(io.StringIO(ok(LABELED + ["-F", "csv"]).stdout)))
    assert rows[0] == ["draw_1", "draw_2", "draw_3"] and rows[1:] == expect
    rows = list(csv.reader(io.StringIO(ok(LABELED + ["-F", "tsv"]).stdout), delimiter="\t"))
    assert rows[0] == ["draw_1", "draw_2", "draw_3"] and rows[1:] == expect
    assert json.loads(ok(LABELED + ["-F", "json"]).stdout) == expect
    assert [json.loads(line) for line in ok(LABELED + ["-F", "jsonl"]).stdout.splitlines()] == expect
    embedded = json.loads(ok(LABELED + ["-F", "json", "--report"]).stdout)
    assert embedded["draws"] == expect and embedded["report"]["per_draw"] == 3


def test_npy_shapes_read_back(tmp_path):
    path = tmp_path / "d.npy"
    ok(LABELED + ["-F", "npy", "-o", path])
    assert np.array_equal(np.load(path), reference())
    batch = [[1, 2, 3, 4], [4, 3, 2, 1]]
    with small_chunks():
        ok(["sample", "-k", "2", *WR, "-n", "200", "--seed", "6", "-F", "npy", "-o", path], "1 2 3 4\n4 3 2 1\n")
        arr = np.load(path)
        assert arr.shape == (2, 200, 2)
        assert np.array_equal(arr, gumbelcli.sample(batch, n=200, k=2, replace=False, seed=6))
        text = ok(["sample", "-k", "2", *WR, "-n", "200", "--seed", "6", "-F", "plain"], "1 2 3 4\n4 3 2 1\n").stdout
        doc = json.loads(ok(["sample", "-k", "2", *WR, "-n", "200", "--seed", "6", "-F", "json"], "1 2 3 4\n4 3 2 1\n").stdout)
    lines = np.array([line.split() for line in text.splitlines()], dtype=int)
    assert np.array_equal(lines.reshape(200, 2, 2).transpose(1, 0, 2), arr)  # row 1's pair, then row 2's
    assert doc == arr.transpose(1, 0, 2).tolist()  # per draw: [[row 1's pair], [row 2's pair]]


def test_counts_are_per_category_and_position():
    draws = reference(n=3000)
    expected = np.stack([np.bincount(draws[:, j], minlength=4) for j in range(3)], axis=1)
    plain = ok(LABELED[:5] + ["-n", "3000", "-k", "3", *WR, "--seed", "8", "--counts"]).stdout
    assert np.array(plain.split(), dtype=int).reshape(4, 3).tolist() == expected.tolist()
    rows = list(csv.reader(io.StringIO(ok(LABELED[:5] + ["-n", "3000", "-k", "3", *WR, "--seed", "8", "--counts", "-F", "csv"]).stdout)))
    assert rows[0] == ["label", "pos_1", "pos_2", "pos_3"] and rows[1] == ["a", *map(str, expected[0])]
    doc = json.loads(ok(LABELED[:5] + ["-n", "3000", "-k", "3", *WR, "--seed", "8", "--counts", "-F", "json"]).stdout)
    assert doc["position_counts"] == expected.tolist() and doc["per_draw"] == 3
    assert doc["inclusion"] == [expected.sum(axis=1).tolist()]
    api = gumbelcli.sample(P4, n=3000, k=3, replace=False, seed=8, counts=True)
    assert api.tolist() == expected.tolist() and (api.sum(axis=0) == 3000).all()


def test_report_on_a_terminal_shows_position_tests_and_inclusion():
    # False alarm: two tests at α / 2 each, so at most 1%.
    result = ok(["sample", *P4, "-k", "2", *WR, "-n", "1e5", "--seed", "1", "-F", "table"])
    text = result.stdout
    assert "position 1: pearson" in text and "position 2: pearson" in text and "in draw" in text
    assert "REJECTED" not in text
    # --check exits 0 on correct draws, and --report goes to stderr when data is piped
    piped = run(["sample", *P4, "-k", "2", *WR, "-n", "2e4", "--seed", "1", "--report", "--check"])
    assert piped.exit_code == 0 and "position 2" in piped.stderr and len(piped.stdout.splitlines()) == 20_000


# --------------------------------------------------------------------------------------------
# gumbel verify -k


def test_verify_reads_every_format_sample_writes(tmp_path):
    target = target_from_probs(P4, labels=list("abcd"))
    expect = reference()
    for fmt, suffix in (("plain", ".txt"), ("csv", ".csv"), ("tsv", ".tsv"), ("json", ".json"), ("jsonl", ".jsonl"), ("npy", ".npy")):
        path = tmp_path / f"d{suffix}"
        ok(LABELED + ["-F", fmt, "-o", path])
        for suffix_given in (suffix, ""):
            draws, _ = read_topk_samples(path.read_bytes(), target, 3, src="x", suffix=suffix_given)
            assert np.array_equal(draws[0], expect), (fmt, suffix_given)


def test_labels_with_spaces_and_commas_round_trip():
    target = target_from_probs([1, 2, 3], labels=["big red", "blue", "x,y"])
    draws = gumbelcli.sample([1, 2, 3], n=30, k=2, replace=False, seed=1)
    spec = '{"big red": 1, "blue": 2, "x,y": 3}'
    for fmt in ("plain", "csv", "tsv"):
        out = ok(["sample", "-f", "-", "-n", "30", "-k", "2", *WR, "--seed", "1", "-F", fmt], spec).stdout
        assert np.array_equal(read_topk_samples(out.encode(), target, 2)[0][0], draws), fmt
    with pytest.raises(InputError, match="more than one way"):
        read_topk_samples(b"a a a\n", target_from_probs([1, 1], labels=["a", "a a"]), 2)


def test_real_shell_pipeline_passes():
    # False alarm 1% (one test at α = 0.01); seed fixed.
    proc = shell(
        "gumbel sample a=1 b=2 c=3 d=4 -k 2 --without-replacement -n 2e5 --seed 3 "
        "| gumbel verify a=1 b=2 c=3 d=4 -k 2 --without-replacement --samples -"
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.decode().splitlines()
    assert lines[1].startswith("samples: ordered pairs") and lines[-1].startswith("# PASS")


def test_a_repeated_category_is_a_certain_rejection():
    result = run(["verify", "a=1", "b=1", "c=1", "-k", "2", *WR, "--samples", "-", "-F", "json"], "a b\nb b\nc a\n")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    first = data["tests"][0]
    assert first["name"] == "samples: distinct categories" and first["p_value"] == 0
    assert "line 2 of <stdin> (b b) repeats a category" in first["note"]


def test_engine_passes_and_large_k_uses_the_marginal_tests():
    # K = 200, k = 4: 1.5e9 ordered tuples, so position 1, position 2 and the PIT run, Holm-combined.
    # False alarm ≤ 1% (family-wise α = 0.01).
    w = 0.98 ** np.arange(200)
    result = verify_topk_engine(target_from_probs(w), 4, n=30_000, seed=3, threads=2)
    assert [t.name.split(": ")[1] for t in result.tests] == ["position 1", "position 2", "positions 2-4 given the earlier (PIT)"]
    assert result.verdict == "pass"
    assert result.to_dict()["per_draw"] == 4 and "randomized probability integral transform" in result.notes[0]


def wrong_draws(p, n, k, rng, law):
    """Draws whose first category follows p but whose later ones follow ``law`` (renormalised), not p."""
    p = np.asarray(p, float) / np.sum(p)
    out = np.empty((n, k), dtype=np.int64)
    for d in range(n):
        left = np.ones(len(p), bool)
        for j in range(k):
            weights = (p if j == 0 else law) * left
            out[d, j] = rng.choice(len(p), p=weights / weights.sum())
            left[out[d, j]] = False
    return out


def test_wrong_later_positions_are_rejected():
    # Position 1 is right, positions 2-3 follow p² instead of p. Small case: the 12 ordered pairs
    # reject; large case (K = 60, k = 3, too many tuples): position 2 and the PIT reject, while
    # position 1 passes. Misses are below 1e-6 at these sizes (p-values ~1e-30).
    rng = np.random.default_rng(0)
    p = np.array(P4)
    small = wrong_draws(p, 6000, 2, rng, p**2)
    assert verify_topk_draws(target_from_probs(p), small[None], seed=1).rejected
    w = 0.95 ** np.arange(60)
    big = wrong_draws(w, 4000, 3, rng, (w / w.sum()) ** 2)
    result = verify_topk_draws(target_from_probs(w), big[None], seed=1)
    verdicts = {t.name.split(": ")[1]: result.test_rejected(i) for i, t in enumerate(result.tests)}
    assert verdicts == {"position 1": False, "position 2": True, "positions 2-3 given the earlier (PIT)": True}


def test_gaussian_noise_without_replacement_is_rejected():
    # The counter-example of REFERENCE §6.6 for draws of k: rejected with p ~ 0 on a skewed target.
    result = run(["verify", *P4, "-k", "2", *WR, "--noise", "gaussian", "-n", "1e5", "--seed", "1", "-F", "json"])
    assert result.exit_code == 1 and json.loads(result.stdout)["verdict"] == "reject"


def test_pit_and_monte_carlo_are_reproducible_with_a_seed():
    w = 0.97 ** np.arange(150)
    draws = gumbelcli.sample(w, n=3000, k=3, replace=False, seed=2)[None]
    one = verify_topk_draws(target_from_probs(w), draws, seed=5, monte_carlo=199)
    two = verify_topk_draws(target_from_probs(w), draws, seed=5, monte_carlo=199)
    assert one.to_dict() == two.to_dict() and one.tests[0].method == "monte-carlo (B=199)"


def test_pit_p_values_are_calibrated():
    # Under the target the PIT test's p-values are Uniform(0, 1): over 40 seeds, a KS test of them.
    # False alarm 0.1% (KS at 0.001).
    w = 0.9 ** np.arange(30)
    target = target_from_probs(w)
    pvalues = []
    for seed in range(40):
        draws = gumbelcli.sample(w, n=600, k=5, replace=False, seed=100 + seed)[None]
        result = verify_topk_draws(target, draws, seed=seed)
        pvalues.append(next(t.p_value for t in result.tests if "PIT" in t.name))
    assert sps.kstest(pvalues, "uniform").pvalue > 1e-3


def test_tuples_enumerated_match_permutations():
    tuples, probs = ordered_tuples(np.log([0.5, 0.3, 0.2]), 3)
    assert [tuple(t) for t in tuples.tolist()] == list(itertools.permutations(range(3)))
    assert sum(probs) == pytest.approx(1.0)


def test_parse_temperature_accepts_protected_negative_spacing():
    assert parse_temperature(" 0.25") == 0.25


def test_python_api_verify_takes_k_and_temperature():
    # False alarm ≤ 1% per call (one test at α = 0.01); seeds fixed.
    draws = gumbelcli.sample(P4, n=20_000, k=2, replace=False, seed=1)
    assert gumbelcli.verify(P4, samples=draws, k=2, seed=1).verdict == "pass"
    labelled = np.array(list("abcd"))[draws]
    assert gumbelcli.verify(P4, labels=list("abcd"), samples=labelled, k=2, seed=1).verdict == "pass"
    assert gumbelcli.verify(P4, k=2, n=20_000, seed=1).verdict == "pass"
    assert gumbelcli.verify(logits=[2.0, 1.0, 0.0], temperature=0.5, n=20_000, seed=1).to_dict()["temperature"] == 0.5
    with pytest.raises(InputError, match="not draws of k=2"):
        gumbelcli.verify(P4, samples=draws[:, :1], k=2)


def test_api_temperature_beyond_a_double_is_an_input_error():
    with pytest.raises(InputError, match="overflows to infinity"):
        gumbelcli.sample([1, 2, 3], n=3, temperature=10**400)


@pytest.mark.parametrize(
    "name, text, place",
    [
        ("m.json", '[[0, 1], [1, "c"], [2, 0.0]]', "JSON item [2] of 'm.json', position 2"),
        ("m.jsonl", "[0, 1]\n[1, 2]\n[2, 0.5]\n", "line 3 of 'm.jsonl', position 2"),
    ],
)
def test_a_bad_value_in_json_samples_is_named_where_it_stands(tmp_path, monkeypatch, name, text, place):
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text(text)
    result = run(["verify", "a=1", "b=2", "c=3", "-k", "2", "--without-replacement", "--samples", name])
    assert result.exit_code == 2
    assert_one_line_error(result.stderr)
    assert place in result.stderr
