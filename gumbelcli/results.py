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
    """What ``gumbel sample`` reports: the seed used and one test per distribution of the batch."""

    n: int
    seed: int
    tests: tuple[GofResult, ...]

    @property
    def rejected(self) -> bool:
        return any(t.rejected for t in self.tests)

    def to_dict(self) -> dict[str, Any]:
        return {"n": self.n, "seed": self.seed, "tests": [t.to_dict() for t in self.tests]}
