"""Frozen result types returned by the core and formatted by ``render.py``."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any


def _json_number(x: float) -> float | str | None:
    """JSON has no inf/nan: write them as strings so the output stays valid JSON."""
    if isinstance(x, float) and not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    return x


def _clean(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    return _json_number(obj)


@dataclass(frozen=True)
class CategoryRow:
    """One category of a goodness-of-fit report."""

    label: str
    prob: float  #: target probability
    count: int  #: observed count
    freq: float  #: observed frequency, count / n
    expected: float  #: n · prob
    residual: float  #: standardized residual (O - E) / sqrt(n p (1 - p)); 0 where p is 0 or 1


@dataclass(frozen=True)
class GofResult:
    """A goodness-of-fit test of observed counts against a target distribution."""

    name: str  #: what was tested (a distribution's name, or "row 2")
    n: int
    stat: str  #: "pearson", "g", ...
    statistic: float
    df: int
    p_value: float
    alpha: float
    method: str  #: "asymptotic" or "monte-carlo (B=...)"
    categories: tuple[CategoryRow, ...]
    pooled: tuple[str, ...] = ()  #: labels of the cells pooled into one because of small expected counts
    note: str = ""  #: a plain-words remark (certain rejection, untestable, ...)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rejected(self) -> bool:
        return self.p_value < self.alpha

    @property
    def verdict(self) -> str:
        return "reject" if self.rejected else "pass"

    def most_deviant(self, count: int = 3) -> tuple[CategoryRow, ...]:
        """The categories with the largest absolute standardized residuals."""
        ranked = sorted(self.categories, key=lambda c: -abs(c.residual))
        return tuple(c for c in ranked[:count] if c.residual != 0)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["rejected"] = self.rejected
        data["verdict"] = self.verdict
        return _clean(data)


@dataclass(frozen=True)
class SampleReport:
    """What ``gumbel sample`` reports: the seed used and one test per distribution of the batch.

    Draws without replacement (``k`` set) have two tests per distribution, position 1 and
    position 2, and the inclusion counts: how many draws hold each category.
    """

    n: int
    seed: int
    tests: tuple[GofResult, ...]
    k: int | None = None  #: categories per draw without replacement; None for single draws
    inclusion: tuple[tuple[int, ...], ...] = ()  #: per row and category, the draws that hold it (k set)
    temperature: float | None = None  #: the target was softmax(log p / T) at this T (None: T = 1)

    @property
    def rejected(self) -> bool:
        return any(t.rejected for t in self.tests)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"n": self.n, "seed": self.seed, "tests": [t.to_dict() for t in self.tests]}
        if self.k is not None:
            data["per_draw"] = self.k
            data["inclusion"] = [list(row) for row in self.inclusion]
        if self.temperature is not None:
            data["temperature"] = self.temperature
        return data


@dataclass(frozen=True)
class VerifyResult:
    """What ``gumbel verify`` reports for counts: a family of tests and its Holm-corrected verdict.

    ``tests[i].p_value`` is test i's own p-value; ``p_holm[i]`` its Holm-adjusted p-value. Test i
    rejects when ``p_holm[i] < alpha``, so ``alpha`` is the family-wise error rate of the verdict.
    """

    mode: str  #: "suite" (embedded references), "engine" (a target, drawn here) or "samples"
    tests: tuple[GofResult, ...]
    p_holm: tuple[float, ...]
    alpha: float
    seed: int | None  #: the root seed of the draws or simulations; None when nothing random ran
    noise: str = "gumbel"  #: the engine's noise: "gumbel", or "gaussian" for the counter-example
    source: str = ""  #: where external samples came from
    sizes: tuple[int, ...] = ()  #: categories K of each test's distribution
    notes: tuple[str, ...] = ()  #: sentences on how the tests were made (e.g. draws without replacement)
    k: int | None = None  #: categories per draw, for draws without replacement
    temperature: float | None = None  #: the target was softmax(log p / T) at this T (None: T = 1)

    def test_rejected(self, i: int) -> bool:
        return self.p_holm[i] < self.alpha

    @property
    def rejected(self) -> bool:
        return any(p < self.alpha for p in self.p_holm)

    @property
    def n_rejected(self) -> int:
        return sum(p < self.alpha for p in self.p_holm)

    @property
    def verdict(self) -> str:
        return "reject" if self.rejected else "pass"

    def test_dict(self, i: int) -> dict[str, Any]:
        """Test i as JSON: every figure of its table row, its categories, and its Holm verdict."""
        data = self.tests[i].to_dict()
        data["k"] = self.sizes[i] if self.sizes else len(self.tests[i].categories)
        data["p_holm"] = _json_number(self.p_holm[i])
        data["rejected"] = self.test_rejected(i)
        data["verdict"] = "reject" if self.test_rejected(i) else "pass"
        data["pooled_cells"] = len(self.tests[i].pooled)
        data["most_deviant"] = [{"cell": name, "residual": r} for name, r in deviant_cells(self.tests[i])]
        return data

    def summary_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "tests_run": len(self.tests),
            "tests_rejected": self.n_rejected,
            "alpha": self.alpha,
            "correction": "holm",
            "seed": self.seed,
            "noise": self.noise,
            "source": self.source,
            "rejected": self.rejected,
            "verdict": self.verdict,
            **({"per_draw": self.k} if self.k is not None else {}),
            **({"temperature": self.temperature} if self.temperature is not None else {}),
            **({"notes": list(self.notes)} if self.notes else {}),
        }

    def to_dict(self) -> dict[str, Any]:
        return {**self.summary_dict(), "tests": [self.test_dict(i) for i in range(len(self.tests))]}


@dataclass(frozen=True)
class CheckResult:
    """One empirical check of a property of the Gumbel-max trick (REFERENCE §6)."""

    prop: str  #: the property's number in REFERENCE §6 ("1", "4b", ...)
    claim: str  #: what is claimed, e.g. "max ~ Gumbel(lse, 1)"
    distribution: str
    test: str  #: e.g. "pearson", "Kolmogorov-Smirnov", "z-test"
    n: int
    statistic: float
    p_value: float
    expect_reject: bool = False  #: True for a counter-example, which a good test must reject
    df: int | None = None
    note: str = ""
    gof: GofResult | None = None  #: the per-category table of a chi-square check

    def to_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in asdict(self).items() if k != "gof"}
        data["property"] = data.pop("prop")
        if self.gof is not None:
            data["categories"] = [asdict(c) for c in self.gof.categories]
            data["pooled"] = list(self.gof.pooled)
            data["method"] = self.gof.method
        return _clean(data)


@dataclass(frozen=True)
class TheoryResult:
    """What ``gumbel verify --theory`` reports: the checks, Holm-adjusted, against their expectations."""

    checks: tuple[CheckResult, ...]
    p_holm: tuple[float, ...]
    alpha: float
    seed: int
    noise: str = "gumbel"

    def check_rejected(self, i: int) -> bool:
        return self.p_holm[i] < self.alpha

    def check_ok(self, i: int) -> bool:
        """The check came out as the theory says: a property held, a counter-example was rejected."""
        return self.check_rejected(i) == self.checks[i].expect_reject

    @property
    def ok(self) -> bool:
        return all(self.check_ok(i) for i in range(len(self.checks)))

    @property
    def rejected(self) -> bool:
        """True when some check did not come out as the theory says (exit code 1)."""
        return not self.ok

    @property
    def verdict(self) -> str:
        return "pass" if self.ok else "reject"

    def check_dict(self, i: int) -> dict[str, Any]:
        data = self.checks[i].to_dict()
        data["p_holm"] = _json_number(self.p_holm[i])
        data["rejected"] = self.check_rejected(i)
        data["expected"] = "reject" if self.checks[i].expect_reject else "consistent"
        data["ok"] = self.check_ok(i)
        return data

    def summary_dict(self) -> dict[str, Any]:
        return {
            "mode": "theory",
            "checks_run": len(self.checks),
            "checks_failed": sum(not self.check_ok(i) for i in range(len(self.checks))),
            "alpha": self.alpha,
            "correction": "holm",
            "seed": self.seed,
            "noise": self.noise,
            "ok": self.ok,
            "verdict": self.verdict,
        }

    def to_dict(self) -> dict[str, Any]:
        return {**self.summary_dict(), "checks": [self.check_dict(i) for i in range(len(self.checks))]}


def deviant_cells(test: GofResult, count: int = 3) -> list[tuple[str, float]]:
    """The cells that deviate most, as ``(name, standardized residual)``, largest ``|residual|`` first.

    Cells that were pooled for the test count as one cell, "pooled (N cells)": the residual of a
    single cell with an expected count far below 1 says nothing (one draw in a cell of expected
    0.006 is +13σ), while the pooled cell's residual is what the test saw.
    """
    pooled = set(test.pooled)
    cells = [(c.label, c.residual) for c in test.categories if c.label not in pooled and c.residual != 0]
    if pooled:
        group = [c for c in test.categories if c.label in pooled]
        p = sum(c.prob for c in group)
        observed = sum(c.count for c in group)
        var = test.n * p * (1.0 - p)
        if var > 0:
            cells.append((f"pooled ({len(group)} cells)", (observed - test.n * p) / math.sqrt(var)))
    cells.sort(key=lambda cell: -abs(cell[1]))
    return cells[:count]


@dataclass(frozen=True)
class RelaxTauSummary:
    """What the relaxed samples of one distribution look like at one temperature τ."""

    tau: float
    mean_max: float  #: mean of the largest coordinate, max_k y_k (1 for one-hot vectors, 1/K at τ → ∞)
    mean_entropy: float  #: mean of the entropy -Σ y_k log y_k, in nats (0 for one-hot, log K at τ → ∞)
    mean_vertex_distance: float  #: mean Euclidean distance from y to the nearest vertex e_argmax(y)
    argmax: GofResult  #: argmax frequencies against the target, with the chi-square test


@dataclass(frozen=True)
class RelaxRowReport:
    """The report of one distribution of the batch: one summary per temperature."""

    name: str
    taus: tuple[RelaxTauSummary, ...]


@dataclass(frozen=True)
class RelaxResult:
    """What ``gumbel relax`` reports: per distribution and temperature, how relaxed the samples are.

    The same noise serves every τ, so the argmax of a sample, and hence each test, is the same at
    every τ; with ``noise`` False (``--no-noise``) every sample is the same point and its argmax
    never moves.
    """

    n: int
    seed: int
    hard: bool  #: one-hot vectors of the argmax (the straight-through forward value)
    noise: bool  #: False for the deterministic softmax with temperature (``--no-noise``)
    log: bool  #: the samples were written as log y (ExpConcrete)
    rows: tuple[RelaxRowReport, ...]

    @property
    def rejected(self) -> bool:
        return any(s.argmax.rejected for row in self.rows for s in row.taus)

    def to_dict(self) -> dict[str, Any]:
        return _clean(
            {
                "n": self.n,
                "seed": self.seed,
                "hard": self.hard,
                "noise": self.noise,
                "log": self.log,
                "rows": [
                    {
                        "name": row.name,
                        "taus": [
                            {
                                "tau": s.tau,
                                "mean_max": s.mean_max,
                                "mean_entropy": s.mean_entropy,
                                "mean_vertex_distance": s.mean_vertex_distance,
                                "argmax": s.argmax.to_dict(),
                            }
                            for s in row.taus
                        ],
                    }
                    for row in self.rows
                ],
            }
        )
