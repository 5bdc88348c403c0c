"""Fractional position keys: the order of sibling sections without renumbering.

A key is a string over an ASCII-sorted alphabet; ``key_between(a, b)`` returns
a key that sorts strictly between ``a`` and ``b``. Moving a section rewrites
only its own key, so two drafters who move different sections never conflict.
Ties (two devices picking the same key concurrently) are broken by section id.
"""

from __future__ import annotations

DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_INDEX = {ch: i for i, ch in enumerate(DIGITS)}


def _midpoint(low: str, high: str | None) -> str:
    """A key strictly between ``low`` ("" = start) and ``high`` (None = end).

    Keys never end in the zero digit, so there is always room below any key.
    """
    if high is not None:
        n = 0
        while n < len(high) and (low[n] if n < len(low) else DIGITS[0]) == high[n]:
            n += 1
        if n > 0:
            return high[:n] + _midpoint(low[n:], high[n:])
    d_low = _INDEX[low[0]] if low else 0
    d_high = _INDEX[high[0]] if high else len(DIGITS)
    if d_high - d_low > 1:
        return DIGITS[(d_low + d_high + 1) // 2]
    if high is not None and len(high) > 1:
        return high[:1]
    return DIGITS[d_low] + _midpoint(low[1:], None)


def key_between(before: str | None, after: str | None) -> str:
    """A key sorting after ``before`` and before ``after`` (either may be None)."""
    low = before or ""
    if after is not None and after <= low:
        # Equal or inverted neighbours (a concurrent tie): place after ``before``.
        after = None
    for key in (low, after or ""):
        if key.endswith(DIGITS[0]) or any(ch not in _INDEX for ch in key):
            raise ValueError(f"invalid position key {key!r}")
    return _midpoint(low, after)


def keys_for(count: int) -> list[str]:
    """``count`` increasing keys spread over the key space (for a new document)."""
    if count < len(DIGITS) - 1:
        step = len(DIGITS) / (count + 1)
        return [DIGITS[round(step * (i + 1))] for i in range(count)]
    keys: list[str] = []
    previous: str | None = None
    for _ in range(count):
        previous = key_between(previous, None)
        keys.append(previous)
    return keys
