"""Bounds on the work an offline command may be asked for, and on an output's rate.

A duration past MAX_SECONDS is a typo (`--seconds 1e7`), not a wish: six hours of
32-bit audio at 48 kHz is already 4 GB. Tighter limits come from the data (a
series cannot decode to more samples than its frames stand for).
"""

import math

from ..errors import InputError, UsageError

__all__ = ["MAX_RATE", "MAX_SECONDS", "check_duration", "check_rate"]

MAX_SECONDS = 6 * 3600.0
MAX_RATE = 768000  # Hz: the highest rate audio interfaces offer (and WAV files hold)


def check_duration(seconds: float, what: str, usage: bool = False) -> float:
    """seconds must be a finite number in (0, MAX_SECONDS]; `what` names the option or field."""
    error = UsageError if usage else InputError
    try:
        value = float(seconds)
    except (TypeError, ValueError):
        raise error(f"{what}: must be a number of seconds, got {seconds!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise error(f"{what}: must be a positive number of seconds, got {seconds!r}")
    if value > MAX_SECONDS:
        raise error(f"{what}: {value:g} s is past the limit of {MAX_SECONDS:g} s ({MAX_SECONDS / 3600:g} hours)")
    return value


def check_rate(rate, what: str = "--rate", usage: bool = True) -> int:
    """rate (a string from the command line, or a number) must be a whole number of Hz in
    [1, MAX_RATE]; returns it as an int."""
    error = UsageError if usage else InputError
    try:
        value = float(rate)
    except (TypeError, ValueError):
        value = math.nan
    if not (math.isfinite(value) and value == int(value) and 1 <= value <= MAX_RATE):
        raise error(f"{what}: must be a whole number of Hz between 1 and {MAX_RATE}, got {rate!r}")
    return int(value)
