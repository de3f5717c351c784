"""Small statistics for the benchmarks: median and spread of repetitions, and a least-squares line."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Summary:
    """Repetitions of one measurement: median, min, max, and the interquartile range."""

    n: int
    median: float
    min: float
    max: float
    q1: float
    q3: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Summary:
        if not values:
            raise ValueError("no values to summarise")
        ordered = sorted(values)
        if len(ordered) >= 2:
            q1, _, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
        else:
            q1 = q3 = ordered[0]
        return cls(len(ordered), statistics.median(ordered), ordered[0], ordered[-1], q1, q3)

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass(frozen=True)
class Line:
    """y = intercept + slope * x, fitted by least squares, with R²."""

    slope: float
    intercept: float
    r2: float

    @classmethod
    def fit(cls, xs: Sequence[float], ys: Sequence[float]) -> Line:
        if len(xs) != len(ys) or len(set(xs)) < 2:
            raise ValueError("a line needs at least two distinct x values")
        slope, intercept = statistics.linear_regression(xs, ys)
        mean = statistics.fmean(ys)
        total = sum((y - mean) ** 2 for y in ys)
        residual = sum((y - (intercept + slope * x)) ** 2 for x, y in zip(xs, ys, strict=True))
        return cls(slope, intercept, 1.0 - residual / total if total else 1.0)

    def __call__(self, x: float) -> float:
        return self.intercept + self.slope * x

    def as_dict(self) -> dict[str, float]:
        return asdict(self)
