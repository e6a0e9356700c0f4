"""Numbers formatted for reading: one notation per table column, p-values, durations.

A column of a report table is formatted as a whole (:func:`column_format`): every value of it
gets the same number of decimals, chosen so that its largest value shows ``digits`` significant
digits, or, where that would leave its smallest non-zero value with fewer than two, scientific
notation with ``digits`` significant digits throughout. So plain and scientific notation never
mix within a column, and decimal points line up.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

DASH = "–"
#: Below this, a p-value is shown as "< 0.001".
P_FLOOR = 0.001


def _special(value: float) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    return None


def column_format(values: Iterable[float], digits: int = 4) -> Callable[[float], str]:
    """The formatter of one column, chosen from all of its values.

    >>> f = column_format([0.4417, 1.0, 0.05])
    >>> [f(v) for v in (0.4417, 1.0, 0.05)]
    ['0.442', '1.000', '0.050']
    >>> f = column_format([7.671, 12.3456])
    >>> f(7.671), f(12.3456)
    ('7.67', '12.35')
    >>> f = column_format([3.2e-10, 0.0039])       # 7 orders of magnitude apart: scientific
    >>> [f(v) for v in (3.2e-10, 0.0039)]
    ['3.200e-10', '3.900e-03']
    >>> f = column_format([123456.0, 98765.4, 136.6])
    >>> f(123456.0), f(98765.4), f(136.6)
    ('123456', '98765', '137')
    >>> column_format([1.0e6, 0.5])(0.5)          # 0.5 would lose every digit: scientific
    '5.000e-01'
    >>> column_format([float("nan")])(float("nan"))
    '–'
    """
    finite = [abs(float(v)) for v in values if v is not None and math.isfinite(float(v))]
    nonzero = [v for v in finite if v > 0]
    if not nonzero:
        decimals, scientific = digits - 1, False
    else:
        top, bottom = max(nonzero), min(nonzero)
        decimals = max(digits - 1 - math.floor(math.log10(top)), 0)
        # the smallest value keeps at least two significant digits in fixed notation?
        shown = math.floor(math.log10(bottom)) + decimals + 1
        scientific = top >= 1e7 or decimals > 6 or shown < 2

    def render(value: float) -> str:
        special = _special(value)
        if special is not None:
            return special
        return f"{value:.{digits - 1}e}" if scientific else f"{value:.{decimals}f}"

    return render


def p_value(p: float) -> str:
    """A p-value: three decimals, "< 0.001" below that.

    >>> p_value(0.04321), p_value(0.0004), p_value(1.0)
    ('0.043', '< 0.001', '1.000')
    """
    special = _special(p)
    if special is not None:
        return special
    return f"< {P_FLOOR:g}" if p < P_FLOOR else f"{p:.3f}"


def duration(seconds: float) -> str:
    """A run time in a human form.

    >>> duration(0.0123), duration(4.26), duration(75.2), duration(3725.0)
    ('12 ms', '4.3 s', '1 min 15 s', '1 h 02 min')
    """
    special = _special(seconds)
    if special is not None:
        return special
    if seconds < 1.0:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60.0:
        return f"{seconds:.1f} s"
    if seconds < 3600.0:
        minutes, rest = divmod(round(seconds), 60)
        return f"{minutes} min {rest:02d} s"
    hours, rest = divmod(round(seconds) // 60, 60)
    return f"{hours} h {rest:02d} min"
