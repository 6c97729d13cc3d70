"""What [encoder~] / [decoder~] print after an `info` message, parsed from Pd's stderr."""

import re
from dataclasses import dataclass
from typing import List

__all__ = ["ObjectInfo", "parse_info"]

_INFO = re.compile(
    r"(encoder|decoder)~: .*?buffer (\d+),.*?latency (\d+) samples \(([\d.]+) ms\).*?(\d+) calls, (\d+) underruns"
)


@dataclass
class ObjectInfo:
    name: str  # "encoder" or "decoder"
    buffer: int  # samples per model call, at the model's rate
    latency: int  # samples at Pd's rate, resampling included
    latency_ms: float
    calls: int
    underruns: int


def parse_info(stderr: str) -> List[ObjectInfo]:
    """The objects' info lines, in the order Pd printed them."""
    return [
        ObjectInfo(name, int(buffer), int(latency), float(ms), int(calls), int(underruns))
        for name, buffer, latency, ms, calls, underruns in _INFO.findall(stderr)
    ]
