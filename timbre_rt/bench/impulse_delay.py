"""Where an impulse came out of a recording: the delays a live run measures.

- `click_delays`: a path that passes the signal through (Pd's plain [adc~] -> [dac~]): for
  each click sent at frame c, the first recorded frame at or after c whose magnitude reaches
  half the click's;
- `onset`: a path that transforms the signal (a model): the first frame where the output
  fed with the impulse departs from the same path fed with silence, beyond what the two
  already differed by before the impulse (zero for a deterministic path);
- `peak_delay`: the frame of the largest difference, which for a path that only delays
  (an identity model, a resampler's linear-phase filter) is the delay itself."""

from dataclasses import dataclass
from typing import List, Optional, Sequence

import numpy as np

__all__ = ["Onset", "click_delays", "onset", "peak_delay"]


def click_delays(recorded: np.ndarray, clicks: Sequence[int], amplitude: float, limit: int) -> List[Optional[int]]:
    """Per click frame (indices into `recorded`): the delay in frames to the first recorded
    sample with |x| >= amplitude / 2 within `limit` frames, None when none came."""
    delays: List[Optional[int]] = []
    for c in clicks:
        window = np.abs(recorded[c : c + limit]) >= 0.5 * amplitude
        hits = np.flatnonzero(window)
        delays.append(int(hits[0]) if hits.size else None)
    return delays


@dataclass
class Onset:
    frame: Optional[int]  # first frame (index into the recordings) of the response; None: none found
    floor: float  # max |with - without| before the impulse (0: the path is deterministic)
    threshold: float  # what |with - without| had to exceed


def onset(
    with_impulse: np.ndarray,
    without: np.ndarray,
    click: int,
    window: int,
    floor_factor: float = 4.0,
    minimum: float = 1e-6,
) -> Onset:
    """First frame at or after `click` where |with_impulse - without| exceeds
    max(minimum, floor_factor * the largest difference in the `window` frames before
    `click`). The window leaves out the start, where two chains may begin a buffer apart."""
    difference = np.abs(np.asarray(with_impulse, dtype=np.float64) - np.asarray(without, dtype=np.float64))
    before = difference[max(0, click - window) : click]
    floor = float(before.max()) if before.size else 0.0
    threshold = max(minimum, floor_factor * floor)
    hits = np.flatnonzero(difference[click:] > threshold)
    return Onset(frame=int(click + hits[0]) if hits.size else None, floor=floor, threshold=threshold)


def peak_delay(with_impulse: np.ndarray, without: np.ndarray, click: int) -> int:
    """Frames from `click` to the largest |with_impulse - without| after it."""
    difference = np.abs(
        np.asarray(with_impulse[click:], dtype=np.float64) - np.asarray(without[click:], dtype=np.float64)
    )
    return int(np.argmax(difference))
