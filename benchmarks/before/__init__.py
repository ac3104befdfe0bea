"""The calendar and year-over-year builders as they were before issue 14, frozen here so
``python -m benchmarks.charts`` compares before and after within one run."""
