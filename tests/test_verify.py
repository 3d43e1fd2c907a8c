"""Tests of ``gumbel verify``: the suite, external samples, the tests themselves, the theory.

Every statistical test here runs with a fixed seed, so its outcome is deterministic. Each comment
"false alarm" gives the probability that the assertion would fail for a *correct* implementation
if the seed were drawn at random — the rate at which a reseeded run would flake.
"""

from __future__ import annotations

import json
import shlex
import sys

import numpy as np
import pytest
from scipy import stats as sps

import gumbelcli
from gumbelcli.errors import InputError
from gumbelcli.inputs import read_target, target_from_probs
from gumbelcli.results import deviant_cells
from gumbelcli.stats import gof_test, holm, monte_carlo_pvalue
from gumbelcli.verification import (
    TAIL_CATEGORIES,
    THEORY_CHECKS,
    read_samples,
    reference_cases,
    run_theory,
    verify_counts,
    verify_engine,
)

from conftest import assert_one_line_error, invoke, shell


def as_json(result):
    assert result.stderr == "", result.stderr
    return json.loads(result.stdout)


def draws_text(counts, labels=None, seed=0) -> str:
    """Shuffled draws with exactly these counts, one per line."""
    draws = np.repeat(np.arange(len(counts)), counts)
    np.random.default_rng(seed).shuffle(draws)
    tokens = np.array(labels)[draws] if labels is not None else draws.astype(str)
    return "\n".join(tokens) + "\n"


# --------------------------------------------------------------------------------------------
# 1. the built-in suite


def test_suite_passes_at_the_defaults():
    # False alarm: the verdict is Holm-corrected at family-wise α = 0.01, so ≤ 1% for a random seed.
    result = invoke(["verify", "--seed", "1", "--format", "json", "--threads", "2"])
    assert result.exit_code == 0
    data = as_json(result)
    assert data["verdict"] == "pass" and data["correction"] == "holm" and data["seed"] == 1
    names = [t["name"] for t in data["tests"]]
    assert names[:6] == [
        "uniform K=2",
        "uniform K=1000",
        "skewed K=10",
        "zeros K=6",
        "logits ±1e4",
        f"tail {TAIL_CATEGORIES}×1e-7",
    ]
    assert len([n for n in names if n.startswith("batch")]) == 3
    for test in data["tests"]:  # every figure of the table is in the JSON object
        for key in (
            "k",
            "n",
            "stat",
            "statistic",
            "df",
            "p_value",
            "p_holm",
            "pooled_cells",
            "verdict",
            "most_deviant",
            "categories",
        ):
            assert key in test
        assert test["p_holm"] >= test["p_value"]
    tail = next(t for t in data["tests"] if t["name"].startswith("tail"))
    assert tail["n"] * TAIL_CATEGORIES * 1e-7 >= 50  # the tail is expected to be hit at least 50 times
    assert tail["pooled_cells"] == TAIL_CATEGORIES


def test_suite_plain_output_states_pooling_and_verdict():
    # -n 20000 for speed: fixed seed; false alarm ≤ 1% (Holm, family-wise α = 0.01).
    result = invoke(["verify", "-n", "2e4", "--seed", "3"])
    assert result.exit_code == 0, result.stdout
    lines = result.stdout.splitlines()
    assert lines[0].split("\t")[:3] == ["test", "k", "n"]
    assert any("pooled into one cell" in line for line in lines if line.startswith("#"))
    # 9 single-draw tests, 1 for the ordered pairs of the small without-replacement case, and 3
    # (position 1, position 2, PIT) for the large one
    assert lines[-1].startswith("# PASS: all 13 tests") and "Holm" in lines[-1] and "seed 3" in lines[-1]
    assert result.stderr == ""  # no progress bar when stderr is not a terminal


def test_suite_is_reproducible_and_thread_independent():
    one = invoke(["verify", "-n", "5000", "--seed", "11", "-F", "json", "-t", "1"])
    two = invoke(["verify", "-n", "5000", "--seed", "11", "-F", "json", "-t", "2"])
    assert one.stdout == two.stdout


def test_gaussian_noise_is_rejected_at_the_default_n():
    # The counter-example of REFERENCE §6.6. Skewed targets reject with p < 1e-100 (a miss is
    # impossible in practice); the uniform ones pass by symmetry of the noise.
    result = invoke(["verify", "--noise", "gaussian", "--seed", "1", "-F", "json"])
    assert result.exit_code == 1
    data = as_json(result)
    verdicts = {t["name"]: t["verdict"] for t in data["tests"]}
    assert data["noise"] == "gaussian" and data["verdict"] == "reject"
    for name in ("skewed K=10", "zeros K=6", "logits ±1e4", f"tail {TAIL_CATEGORIES}×1e-7", "batch K=4 (row 1)"):
        assert verdicts[name] == "reject"
    assert verdicts["uniform K=2"] == "pass"


def test_a_sampler_that_never_draws_the_tail_is_rejected():
    # float32-style bias (REFERENCE §3): all tail mass moved to the head. At the suite's n the
    # pooled tail cell expects 60 and sees 0: rejected with p < 1e-12 (miss rate ~0).
    case = next(c for c in reference_cases() if c.name.startswith("tail"))
    head_only = case.target.probs[0].copy()
    head_only[3:] = 0
    counts = np.random.default_rng(5).multinomial(case.n, head_only / head_only.sum())
    result = verify_counts(case.target, counts[None, :])
    assert result.rejected
    assert deviant_cells(result.tests[0])[0][0].startswith("pooled")


# --------------------------------------------------------------------------------------------
# 2. external samples


def test_pipeline_from_gumbel_sample_passes_in_a_real_shell():
    # False alarm 1% (one test at α = 0.01); seed fixed.
    proc = shell("gumbel sample -n 1e6 --seed 3 a=.2 b=.8 | gumbel verify a=.2 b=.8 --samples -")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode().splitlines()[-1].startswith("# PASS")
    # The same draws against the wrong target: a 10-point shift at n = 1e5 is a ~80σ rejection.
    proc = shell("gumbel sample -n 1e5 --seed 3 a=.3 b=.7 | gumbel verify a=.2 b=.8 --samples -")
    assert proc.returncode == 1
    assert "REJECTED" in proc.stdout.decode()


def test_biased_samples_are_rejected(tmp_path):
    # One category shifted by 2% of itself at n = 1e6: ~+6.7σ on that category, chi-square p ~ 1e-8.
    # Miss rate (not rejecting at α = 0.01) below 1e-4.
    probs = np.full(10, 0.1)
    biased = probs.copy()
    biased[3] *= 1.02
    counts = np.random.default_rng(7).multinomial(1_000_000, biased / biased.sum())
    path = tmp_path / "draws.txt"
    path.write_text(draws_text(counts))
    result = invoke(["verify", *map(str, probs), "--samples", str(path), "-F", "json"])
    assert result.exit_code == 1
    test = as_json(result)["tests"][0]
    assert test["verdict"] == "reject" and test["n"] == 1_000_000
    assert test["most_deviant"][0]["cell"] == "3" and test["most_deviant"][0]["residual"] > 4
    # The unbiased control with the same seed passes (false alarm 1%).
    counts = np.random.default_rng(7).multinomial(1_000_000, probs)
    path.write_text(draws_text(counts))
    assert invoke(["verify", *map(str, probs), "--samples", str(path)]).exit_code == 0


@pytest.mark.parametrize("fmt", ["plain", "csv", "tsv", "json", "jsonl", "npy"])
@pytest.mark.parametrize("labels", [None, '"a,b",c d,e'])
def test_every_format_gumbel_sample_writes_is_read(tmp_path, fmt, labels):
    # Labels with a comma and a space survive every format (CSV quotes them, plain writes them raw).
    extra = [] if labels is None else ["--labels", labels]
    out = tmp_path / f"draws.{fmt}"
    assert (
        invoke(
            ["sample", "0.2", "0.3", "0.5", *extra, "-n", "3000", "--seed", "2", "-F", fmt, "-o", str(out)]
        ).exit_code
        == 0
    )
    expected = gumbelcli.sample([0.2, 0.3, 0.5], n=3000, seed=2, counts=True)
    target = read_target(["0.2", "0.3", "0.5"], labels=labels)
    for suffix in (out.suffix, ""):  # by extension, and sniffed
        got = read_samples(out.read_bytes(), target, suffix=suffix)
        assert got.tolist() == [expected.tolist()]


@pytest.mark.parametrize("fmt", ["plain", "csv", "tsv", "json", "jsonl", "npy"])
def test_every_counts_format_is_read(tmp_path, fmt):
    out = tmp_path / f"counts.{fmt}"
    assert (
        invoke(
            ["sample", "x=1", "y=2", "z=3", "-n", "6000", "--seed", "4", "--counts", "-F", fmt, "-o", str(out)]
        ).exit_code
        == 0
    )
    expected = gumbelcli.sample([1, 2, 3], n=6000, seed=4, counts=True)
    result = invoke(["verify", "x=1", "y=2", "z=3", "--samples", str(out), "--counts", "-F", "json"])
    assert result.exit_code == 0, result.stderr
    assert [c["count"] for c in as_json(result)["tests"][0]["categories"]] == expected.tolist()


def test_batch_targets_read_one_column_per_distribution(tmp_path):
    probs = tmp_path / "probs.txt"
    probs.write_text("1 2 3\n3 2 1\n")
    expected = gumbelcli.sample([[1, 2, 3], [3, 2, 1]], n=2000, seed=8, counts=True)
    for fmt in ("plain", "csv", "json", "npy"):
        out = tmp_path / f"batch.{fmt}"
        assert (
            invoke(["sample", "-f", str(probs), "-n", "2000", "--seed", "8", "-F", fmt, "-o", str(out)]).exit_code == 0
        )
        data = as_json(invoke(["verify", "-f", str(probs), "--samples", str(out), "-F", "json"]))
        assert [[c["count"] for c in t["categories"]] for t in data["tests"]] == expected.tolist()
        assert [t["name"] for t in data["tests"]] == ["row 1", "row 2"]


def test_labels_first_then_indices():
    target = target_from_probs([0.5, 0.5], labels=["1", "0"])
    # "0" is the label of category 1; "1" the label of category 0: labels win over indices.
    assert read_samples(b"0\n0\n1\n", target).tolist() == [[1, 2]]
    target = target_from_probs([0.5, 0.5], labels=["a", "b"])
    assert read_samples(b"a\n1\n  b  \r\n\n", target).tolist() == [[1, 2]]  # index where no label matches


def test_a_draw_of_probability_zero_is_a_certain_rejection():
    result = invoke(["verify", "a=0.5", "b=0", "c=0.5", "--samples", "-", "-F", "json"], input="a\nc\nb\na\n" * 100)
    assert result.exit_code == 1
    test = as_json(result)["tests"][0]
    assert test["p_value"] == 0 and test["statistic"] == "inf"
    assert "probability 0" in test["note"] and "(b)" in test["note"]


BAD_SAMPLES = [
    (["a=.2", "b=.8"], "a\nc\n", "'c' at line 2"),  # unknown label
    (["0.2", "0.8"], "0\n2\n", "'2' at line 2 of <stdin> is out of range"),  # index out of range
    (["0.2", "0.8"], "0\n-1\n", "'-1' at line 2"),  # negative index
    (["0.2", "0.8"], "0\n\n1.5\n", "'1.5' at line 3 of <stdin> is not an integer index"),  # non-integer
    (["0.2", "0.8"], "", "no draws in <stdin>: it is empty"),  # empty
    (["0.2", "0.8"], "  \n\n", "no draws in <stdin>"),  # blank
    (["0.2", "0.8"], "draw\n", "no draws in <stdin>"),  # only a header
    (["0.2", "0.8"], "0 1\n", "line 1 of <stdin> is not a single draw"),  # two per line
    (["0.2", "0.8"], "[0, 1, 2]", "JSON item [2] of <stdin>"),  # JSON out of range
    (["0.2", "0.8"], "[0, null]", "null at JSON item [1]"),  # JSON non-draw
    (["0.2", "0.8"], "[0, 1", "not valid JSON"),
    (["0.2", "0.8"], "\xff", None),  # not UTF-8 (bytes below)
]


@pytest.mark.parametrize(("values", "data", "message"), BAD_SAMPLES)
def test_bad_samples_are_one_line_input_errors(values, data, message):
    payload = b"\xff\xfe" if data == "\xff" else data.encode()
    result = invoke(["verify", *values, "--samples", "-"], input=payload)
    assert result.exit_code == 2
    assert_one_line_error(result.stderr)
    assert result.stdout == ""
    if message:
        assert message in result.stderr


def test_bad_sample_files_are_one_line_input_errors(tmp_path):
    cases = {
        "empty.txt": b"",
        "floats.npy": None,
        "shape.npy": None,
        "bad.json": b"{",
    }
    np.save(tmp_path / "floats.npy", np.array([0.0, 1.0]))
    np.save(tmp_path / "shape.npy", np.zeros((2, 2), dtype=np.int64))
    for name, content in cases.items():
        if content is not None:
            (tmp_path / name).write_bytes(content)
    for name in [*cases, "missing.txt"]:
        result = invoke(["verify", "0.2", "0.8", "--samples", str(tmp_path / name)])
        assert result.exit_code == 2, name
        assert_one_line_error(result.stderr)


BAD_COUNTS = [
    ("1\n2\n", "gives 2 counts but the target has 3"),
    ("1\n-2\n3\n", "'-2' at line 2 of <stdin> is not a count"),
    ("0\n0\n0\n", "all counts in <stdin> are zero"),
    ("a,1\na,2\n", "category 'a' appears twice"),
    ("label,count\nq,1\n", "category 'q' at line 2"),
    ("1.5 2 3\n", "'1.5'"),
    ('{"a": 1, "b": true}', "is not a count"),
    ("[1, 2]", "does not hold a list of 3 counts"),
]


@pytest.mark.parametrize(("data", "message"), BAD_COUNTS)
def test_bad_counts_are_one_line_input_errors(data, message):
    result = invoke(["verify", "a=1", "b=1", "c=1", "--samples", "-", "--counts"], input=data)
    assert result.exit_code == 2
    assert_one_line_error(result.stderr)
    assert message in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--samples", "-"], "--samples needs the target"),
        (["0.5", "0.5", "--counts"], "--counts says that the --samples input holds counts"),
        (["0.5", "0.5", "--samples", "-", "-n", "10"], "-n sets how many draws"),
        (["0.5", "0.5", "--samples", "-", "--noise", "gaussian"], "--noise applies to draws made by the engine"),
        (["--file", "-", "--samples", "-"], "both read standard input"),
        (["--theory", "0.5", "0.5"], "--theory checks the Gumbel-max trick itself"),
        (["--labels", "a,b"], "--labels describes a target"),
        (["--format", "npy"], "--format npy is for draws"),
        (["-n", "0"], "-n '0' is not positive"),
        (["--monte-carlo", "0"], "--monte-carlo '0' is not positive"),
        (["--alpha", "1"], "--alpha 1.0 is outside (0, 1)"),
        (["--stat", "chi"], "'chi' is not one of"),
        (["--noise", "uniform"], "'uniform' is not one of"),
        (["--seed", "-1"], "--seed -1 is negative"),
    ],
)
def test_bad_usage_is_a_one_line_error(args, message):
    result = invoke(["verify", *args], input="0\n")
    assert result.exit_code == 2
    assert_one_line_error(result.stderr)
    assert message in result.stderr


# --------------------------------------------------------------------------------------------
# 3. the tests themselves


def test_holm():
    assert holm([0.01, 0.04, 0.03]).tolist() == pytest.approx([0.03, 0.06, 0.06])
    assert holm([0.5, 0.001]).tolist() == pytest.approx([0.5, 0.002])
    assert holm([]).size == 0


@pytest.mark.parametrize(
    ("cli", "scipy_name"),
    [
        ("pearson", "pearson"),
        ("g", "log-likelihood"),
        ("freeman-tukey", "freeman-tukey"),
        ("neyman", "neyman"),
        ("cressie-read", "cressie-read"),
    ],
)
def test_stat_names_map_to_power_divergence(cli, scipy_name):
    counts = np.array([[190, 310, 500]])
    data = as_json(
        invoke(
            ["verify", "0.2", "0.3", "0.5", "--samples", "-", "--counts", "--stat", cli, "-F", "json"],
            input="190 310 500\n",
        )
    )
    expected = sps.power_divergence(counts[0], np.array([200.0, 300.0, 500.0]), lambda_=scipy_name)
    assert data["tests"][0]["stat"] == cli
    assert data["tests"][0]["statistic"] == pytest.approx(expected.statistic)
    assert data["tests"][0]["p_value"] == pytest.approx(expected.pvalue)


def test_monte_carlo_agrees_with_the_asymptotic_p_value():
    # K = 5, every expected count ≥ 300: the chi-square approximation is good, so the two p-values
    # differ only by the simulation's error, sd ≤ sqrt(0.25 / 4000) = 0.008. The bound 0.04 is 5 sd:
    # false alarm < 1e-6 per seed.
    target = target_from_probs([0.1, 0.15, 0.2, 0.25, 0.3])
    for seed in range(4):
        result = verify_engine(target, n=3000, seed=seed, monte_carlo=4000)
        test = result.tests[0]
        assert test.method == "monte-carlo (B=4000)"
        assert abs(test.p_value - test.extra["p_asymptotic"]) < 0.04
        assert test.p_value >= 1 / 4001


def test_monte_carlo_is_valid_for_tiny_expected_counts():
    # n = 20 over K = 50: no asymptotic test is valid; the simulated p-values must still be
    # calibrated. 200 seeds, rejection rate at α = 0.05 within the 99.9% binomial interval (false
    # alarm 0.1%). The Monte Carlo p-value is conservative, so only the upper bound is tight.
    target = target_from_probs(np.ones(50))
    rng = np.random.default_rng(0)
    rejected = 0
    for _ in range(200):
        counts = rng.multinomial(20, target.probs[0])
        _, p = monte_carlo_pvalue(counts, target.probs[0], simulations=199, rng=rng)
        rejected += p < 0.05
    low, high = sps.binom.interval(0.999, 200, 0.05)
    assert rejected <= high


def test_too_few_simulations_are_said_so():
    # With B = 100 the smallest p-value is 1/101: Holm over 13 tests can never reject at α = 0.01.
    result = invoke(["verify", "-B", "100", "-n", "2000", "--seed", "3"])
    assert "cannot reject" in result.stdout and "--monte-carlo 1300 or more" in result.stdout


def test_gof_test_keeps_its_default_behaviour():
    test = gof_test(np.array([20, 30, 50]), np.array([0.2, 0.3, 0.5]), ["a", "b", "c"])
    assert test.method == "asymptotic" and test.p_value == pytest.approx(1.0) and test.stat == "pearson"


def test_the_tester_is_calibrated_under_a_true_null():
    # 300 seeds of the engine on a skewed target, one test each at α = 0.05 (no Holm: one test per
    # run). Under the null the rejections are Binomial(300, 0.05); the assertion holds with
    # probability 99.9% (false alarm 0.1%), and it is deterministic with these seeds.
    target = target_from_probs([0.5, 0.2, 0.15, 0.1, 0.05])
    rejected = sum(verify_engine(target, n=2000, seed=seed, alpha=0.05).rejected for seed in range(300))
    low, high = sps.binom.interval(0.999, 300, 0.05)
    assert low <= rejected <= high


def test_residuals_and_deviants_in_the_single_target_report():
    result = invoke(["verify", "a=0.2", "b=0.8", "--samples", "-", "-F", "table"], input="a\n" * 300 + "b\n" * 700)
    assert result.exit_code == 1
    assert "residual" in result.stdout and "REJECTED" in result.stdout
    data = as_json(
        invoke(["verify", "a=0.2", "b=0.8", "--samples", "-", "-F", "json"], input="a\n" * 300 + "b\n" * 700)
    )
    cats = data["tests"][0]["categories"]
    assert cats[0]["residual"] == pytest.approx((300 - 200) / np.sqrt(1000 * 0.2 * 0.8))


def test_jsonl_is_one_object_per_test_then_a_summary():
    result = invoke(["verify", "-n", "3000", "--seed", "1", "-F", "jsonl"])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["type"] for line in lines] == ["test"] * 13 + ["summary"]  # 9 + 4 without replacement
    assert lines[-1]["tests_run"] == 13


def test_engine_mode_tests_the_draws_gumbel_sample_makes():
    data = as_json(invoke(["verify", "0.2", "0.3", "0.5", "-n", "1e5", "--seed", "9", "-F", "json"]))
    expected = gumbelcli.sample([0.2, 0.3, 0.5], n=100_000, seed=9, counts=True)
    assert [c["count"] for c in data["tests"][0]["categories"]] == expected.tolist()
    assert data["mode"] == "engine" and data["seed"] == 9


# --------------------------------------------------------------------------------------------
# 4. the theory


def test_theory_holds_and_the_counter_example_is_rejected():
    # False alarm ≤ 1% (Holm over 10 checks at family-wise α = 0.01); the counter-example is
    # rejected with p < 1e-100 at the default n.
    result = invoke(["verify", "--theory", "--seed", "1", "-F", "json"])
    assert result.exit_code == 0
    data = as_json(result)
    props = [c["property"] for c in data["checks"]]
    assert {"1", "2", "3", "4a", "4b", "6"} <= set(props)
    assert data["ok"] and all(c["ok"] for c in data["checks"])
    six = [c for c in data["checks"] if c["property"] == "6"]
    assert all(c["rejected"] and c["expected"] == "reject" for c in six)
    tests = {c["property"]: c["test"] for c in data["checks"]}
    assert tests["2"] == tests["4a"] == "Kolmogorov-Smirnov" and tests["3"] == "z-test" and tests["1"] == "pearson"


def test_theory_with_gaussian_noise_fails():
    # Gaussian noise in properties 1-4a: each is rejected with p < 1e-50 at n = 2e4.
    result = invoke(["verify", "--theory", "--noise", "gaussian", "-n", "2e4", "--seed", "1", "-F", "json"])
    assert result.exit_code == 1
    data = as_json(result)
    failed = {c["property"] for c in data["checks"] if not c["ok"]}
    assert failed == {"1", "2", "3", "4a"}


def test_theory_checks_are_an_extensible_list():
    # Property 5 joins THEORY_CHECKS from the relax module; any callable of the context works.
    from gumbelcli.results import CheckResult

    def dummy(ctx):
        return [CheckResult("5", "claim", "d", "z-test", ctx.n, 0.0, 0.5)]

    result = run_theory(n=1000, seed=1, checks=[*THEORY_CHECKS, dummy])
    assert result.checks[-1].prop == "5" and result.ok


def test_table_format_for_people():
    result = invoke(["verify", "--theory", "-n", "5000", "--seed", "2", "-F", "table"])
    assert result.exit_code == 0
    assert "E[max]" in result.stdout and "PASS" in result.stdout  # not eaten as rich markup


# --------------------------------------------------------------------------------------------
# the Python API and the import budget


def test_python_api():
    import gumbelcli.verification  # noqa: F401  (binding the core module must not hide the function)

    assert callable(gumbelcli.verify)
    assert gumbelcli.verify([0.2, 0.8], samples=["a", "b", "b", "b", "b"] * 100, labels=["a", "b"]).verdict == "pass"
    assert gumbelcli.verify([0.5, 0.5], counts=[900, 100]).rejected
    with pytest.raises(InputError):
        gumbelcli.verify([0.5, 0.5], samples=[0, 2])
    with pytest.raises(InputError):
        gumbelcli.verify(stat="chi")


def test_help_and_the_core_do_not_import_scipy():
    code = (
        "import sys; from typer.testing import CliRunner; import gumbelcli.verification; "
        "from gumbelcli.cli import app; r = CliRunner().invoke(app, ['verify', '--help']); "
        "assert r.exit_code == 0, r.output; print(any(m.startswith('scipy') for m in sys.modules))"
    )
    proc = shell(f"{shlex.quote(sys.executable)} -c {shlex.quote(code)}")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode().strip() == "False"


def test_sample_still_prints_its_report():
    result = invoke(["sample", "0.2", "0.8", "-n", "1e5", "--format", "table", "--seed", "1"])
    assert result.exit_code == 0 and "pearson statistic" in result.stdout
