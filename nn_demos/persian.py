"""Persian digits for captions, labels and ticks (kept here so nn_demos depends on no bot code)."""

from __future__ import annotations

_DIGITS = str.maketrans("0123456789.-", "۰۱۲۳۴۵۶۷۸۹٫−")


def fa_number(value: float, decimals: int | None = None) -> str:
    """`value` with Persian digits; `decimals` fixes the places after the point."""
    if decimals is not None:
        text = f"{value:.{decimals}f}"
    elif float(value).is_integer():
        text = str(int(value))
    else:
        text = f"{value:.4g}"
    return text.translate(_DIGITS)


def fa_percent(fraction: float) -> str:
    """A share such as 0.634 as «۶۳٫۴٪»."""
    return f"{fa_number(100 * fraction, 1)}٪"
