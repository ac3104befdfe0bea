"""Google's encoded polylines (precision 5), many at once, decoded with NumPy.

The `polyline` library decodes one character at a time in Python: 1.4 million points
(14,000 routes of 100) took several seconds, the bulk of a cold Map page. Here every
string is one run of code points and each step is one array operation:

- a character is ``code - 63``: 5 value bits, plus bit 0x20 meaning "the value goes on";
- a value's chunks come least significant first, so ``value = sum(chunk << 5 * k)``;
- a value is zig-zag signed (``~(v >> 1)`` when bit 0 is set, else ``v >> 1``);
- values alternate latitude and longitude deltas, in 1e-5 degrees, summed along the route.

A string that polyline would reject (a character outside ``?``..``~``, an unfinished value,
an odd number of values, a value longer than 32 bits) becomes an empty route: one bad
record must not break the map.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import numpy as np

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]

PRECISION: Final = 1e5
_MAX_CHUNKS: Final = 7  # 7 x 5 bits hold any 32-bit value


def decode_many(texts: Sequence[str]) -> tuple[FloatArray, IntArray]:
    """``(points, offsets)``: route ``i`` is ``points[offsets[i]:offsets[i + 1]]``, (lat, lng).

    Exactly the `polyline` library's numbers (integer sums divided by 1e5).
    """
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    total = int(lengths.sum())
    if total == 0:
        return np.zeros((0, 2)), np.zeros(len(texts) + 1, dtype=np.int64)
    # UTF-32 gives one code point per character, so string i is a slice of known length
    # (a lone surrogate, possible in a str from JSON, passes as its code point: invalid).
    joined = "".join(texts).encode("utf-32-le", "surrogatepass")
    codes = np.frombuffer(joined, dtype=np.uint32).astype(np.int64)
    codes -= 63
    owner = np.repeat(np.arange(len(texts)), lengths)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    nonempty = lengths > 0
    last = (starts + lengths - 1)[nonempty]

    bad_char = (codes < 0) | (codes > 63)
    ends = codes < 0x20
    # A value never runs past its string's last character (which must itself end one).
    cut = ends.copy()
    cut[last] = True
    value_of: IntArray = np.cumsum(cut) - cut  # the value each character belongs to
    first_char = np.flatnonzero(np.concatenate(([True], cut[:-1])))
    rank = np.arange(total) - first_char[value_of]
    too_long = rank >= _MAX_CHUNKS
    chunks = (codes & 0x1F) << (5 * np.minimum(rank, _MAX_CHUNKS - 1))
    raw = np.zeros(len(first_char), dtype=np.int64)
    np.add.at(raw, value_of, chunks)
    values = np.where(raw & 1, ~(raw >> 1), raw >> 1)

    value_owner = owner[first_char]
    per_string = np.bincount(value_owner, minlength=len(texts))
    broken = np.bincount(owner, weights=bad_char | too_long, minlength=len(texts)) > 0
    unfinished = np.zeros(len(texts), dtype=bool)
    unfinished[nonempty] = ~ends[last]
    valid = nonempty & ~broken & ~unfinished & (per_string % 2 == 0)

    deltas = values[valid[value_owner]].reshape(-1, 2)
    counts = np.where(valid, per_string // 2, 0).astype(np.int64)
    offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    summed = np.cumsum(deltas, axis=0)
    # Each route starts from zero: take off the running sum before its first point.
    before = np.zeros((len(texts), 2), dtype=np.int64)
    has = counts > 0
    before[has] = np.vstack((np.zeros((1, 2), np.int64), summed))[offsets[:-1][has]]
    route = np.repeat(np.arange(len(texts)), counts)
    points: FloatArray = (summed - before[route]) / PRECISION
    return points, offsets
