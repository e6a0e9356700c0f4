"""Ranks of methods over many series: the Friedman test and Nemenyi's critical difference.

Following Demšar, "Statistical Comparisons of Classifiers over Multiple Data Sets", *JMLR* 7
(2006), §3.2.2, as the forecasting literature uses it for collections (Makridakis et al. 2018,
the M4 paper): each series ranks the k methods (1 = best, ties share the mean rank); the
Friedman test asks whether the mean ranks differ; two methods differ significantly when their
mean ranks differ by more than the critical difference CD = q_α·√(k(k+1)/(6N)), where q_α is the
studentized range quantile for k groups and infinite degrees of freedom divided by √2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats


def nemenyi_q(k: int, alpha: float = 0.05) -> float:
    """q_α of the Nemenyi test for k methods (Demšar 2006, Table 5a).

    >>> [round(nemenyi_q(k), 3) for k in (2, 3, 5, 10)]
    [1.96, 2.344, 2.728, 3.164]
    """
    return float(stats.studentized_range.ppf(1.0 - alpha, k, np.inf) / math.sqrt(2.0))


def critical_difference(k: int, n: int, alpha: float = 0.05) -> float:
    """Nemenyi's critical difference of mean ranks for k methods over n series.

    >>> round(critical_difference(4, 14), 3)  # Demšar (2006), the worked example of §3.2.2
    1.254
    """
    return nemenyi_q(k, alpha) * math.sqrt(k * (k + 1) / (6.0 * n))


@dataclass(frozen=True)
class RankTest:
    """Mean ranks (best first), the Friedman test and the critical difference."""

    metric: str
    mean_ranks: dict[str, float]
    n_series: int
    statistic: float
    p_value: float
    cd: float
    alpha: float

    def cliques(self) -> list[tuple[str, ...]]:
        """Maximal runs of methods (in rank order) whose mean ranks lie within one CD."""
        names = list(self.mean_ranks)
        ranks = list(self.mean_ranks.values())
        out: list[tuple[str, ...]] = []
        for i in range(len(names)):
            j = i
            while j + 1 < len(names) and ranks[j + 1] - ranks[i] <= self.cd:
                j += 1
            group = tuple(names[i : j + 1])
            if j > i and not any(set(group) <= set(g) for g in out):
                out.append(group)
        return out


def rank_test(scores: pd.DataFrame, metric: str, alpha: float = 0.05) -> RankTest | None:
    """Friedman–Nemenyi on a table of scores (rows: series, columns: methods; lower is better).

    Series with a missing or non-finite score for any method are left out; None when fewer than
    two methods or two series remain.
    """
    finite = scores.replace([np.inf, -np.inf], np.nan).dropna(axis=0, how="any")
    k, n = finite.shape[1], finite.shape[0]
    if k < 2 or n < 2:
        return None
    ranks = np.apply_along_axis(stats.rankdata, 1, finite.to_numpy(dtype=np.float64))
    mean = ranks.mean(axis=0)
    order = np.argsort(mean, kind="stable")
    if k >= 3:
        result = stats.friedmanchisquare(*[finite.iloc[:, j] for j in range(k)])
        statistic, p_value = float(result.statistic), float(result.pvalue)
    else:
        result2 = stats.wilcoxon(finite.iloc[:, 0], finite.iloc[:, 1], zero_method="zsplit")
        statistic, p_value = float(result2.statistic), float(result2.pvalue)
    return RankTest(
        metric=metric,
        mean_ranks={str(finite.columns[j]): float(mean[j]) for j in order},
        n_series=n,
        statistic=statistic,
        p_value=p_value,
        cd=critical_difference(k, n, alpha),
        alpha=alpha,
    )
