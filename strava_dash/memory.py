"""How the server process allocates memory: what an upload frees must go back to the
system, or one large archive leaves the process large after its tab is closed (issue 11:
1.2 GB stayed after a 113 MB CSV).

Two allocators decide that. Arrow (pandas' text columns) uses mimalloc by default, which
keeps freed memory for its own reuse. glibc's ``malloc`` serves a large block from the
heap once a block of that size has been freed (its mmap threshold adapts upwards), and
holes in the heap are not returned. :func:`configure` makes Arrow use ``malloc`` and
fixes glibc's threshold at 128 KiB, so every column-sized block is its own mapping,
returned when freed. Reading three 60,000-activity archives at once then peaks 40 MB
lower and keeps 32 MB instead of 156 MB afterwards (benchmarks/archive.py).
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache
from typing import Final

import pyarrow as pa

_M_MMAP_THRESHOLD: Final = -3  # glibc's malloc.h
MMAP_THRESHOLD: Final = 128 * 1024
"""glibc's own initial value, held there."""


@cache  # app.py runs on every rerun; the allocators are set once per process
def configure() -> None:
    """Set both allocators for the whole process, at start (app.py calls it)."""
    pa.set_memory_pool(pa.system_memory_pool())
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:  # pragma: no cover - not a glibc system
        return
    mallopt = getattr(ctypes.CDLL(libc_name), "mallopt", None)
    if mallopt is not None:  # musl and macOS have none: their malloc returns memory anyway
        mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
