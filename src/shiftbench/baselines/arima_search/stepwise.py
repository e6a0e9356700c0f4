"""The stepwise walk of Hyndman & Khandakar (2008, §3.2), as ``forecast::auto.arima`` takes
it: score the starting models and keep the best (ties keep the earlier), then repeatedly score
the neighbours of the current best in order and move to the first that improves on it, until
none does or :data:`MAX_MODELS` models have been scored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from shiftbench.baselines.arima_search.candidates import Spec

#: auto.arima's cap on the number of models the stepwise walk fits.
MAX_MODELS = 94


def stepwise_walk(
    score: Callable[[Spec], float],
    starts: Sequence[Spec],
    neighbours: Callable[[Spec], list[Spec]],
    max_models: int = MAX_MODELS,
) -> Spec:
    """Walk from ``starts`` through ``neighbours`` to a local minimum of ``score`` (lower is
    better) and return it. ``score`` is called once per distinct model, in the order of the
    walk, at most ``max_models`` times.

    >>> def distance(s: Spec) -> float:  # the walk descends to ARIMA(3,0,1)
    ...     return abs(s.p - 3) + abs(s.q - 1)
    >>> step = lambda s: [Spec(s.p + 1, 0, s.q), Spec(s.p, 0, s.q + 1)]
    >>> stepwise_walk(distance, [Spec(0, 0, 0)], step).label
    'ARIMA(3,0,1)'
    """
    scores: dict[Spec, float] = {}

    def value(spec: Spec) -> float:
        if spec not in scores:
            scores[spec] = score(spec)
        return scores[spec]

    best = starts[0]
    for candidate in starts:  # in order; ties keep the earlier, as auto.arima
        if value(candidate) < value(best):
            best = candidate
    while len(scores) < max_models:
        moved = False
        for candidate in neighbours(best):
            if candidate in scores:
                continue
            if len(scores) >= max_models:
                break
            if value(candidate) < value(best):
                best, moved = candidate, True
                break
        if not moved:
            break
    return best
