"""Imported at start-up by the servers ``benchmarks.gc`` starts (it puts this folder on
PYTHONPATH): logs how long each ``gc.collect`` call takes, i.e. Streamlit's post-script
collection, to the file named by ``DASH_GC_LOG``. Nothing else ever imports it."""

import gc
import os
import time

_LOG = os.environ.get("DASH_GC_LOG", "")
if _LOG:
    _collect = gc.collect

    def _timed_collect(generation: int = 2) -> int:
        started = time.perf_counter()
        found = _collect(generation)
        with open(_LOG, "a") as log:
            log.write(f"{time.perf_counter() - started:.6f}\n")
        return found

    gc.collect = _timed_collect
