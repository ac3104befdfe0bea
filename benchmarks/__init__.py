"""Side-by-side benchmarks: ``python -m benchmarks`` (see ``--help``); writes BENCHMARKS.md."""
