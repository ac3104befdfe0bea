"""Timing and table helpers shared by the benchmark sections."""

from __future__ import annotations

import gc
import re
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def timed(run: Callable[[], T], repeat: int) -> tuple[float, T]:
    """Median wall time (s) of ``repeat`` runs, and the last run's result."""
    times: list[float] = []
    result: Any = None
    for _ in range(max(repeat, 1)):
        gc.collect()
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def timed_together(
    runs: dict[str, Callable[[], Any]], repeat: int, *, warmup: bool = False
) -> dict[str, tuple[float, Any]]:
    """Like :func:`timed` for several approaches, interleaved round by round, so a
    burst of load on a shared machine hits them all alike."""
    if warmup:
        for run in runs.values():
            run()
    times: dict[str, list[float]] = {name: [] for name in runs}
    results: dict[str, Any] = {}
    for _ in range(max(repeat, 1)):
        for name, run in runs.items():
            gc.collect()
            start = time.perf_counter()
            results[name] = run()
            times[name].append(time.perf_counter() - start)
    return {name: (statistics.median(times[name]), results[name]) for name in runs}


def seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 1000:,.0f} ms" if value < 1 else f"{value:,.2f} s"


def ratio(value: float | None, base: float | None) -> str:
    if value is None or not base:
        return "—"
    return f"{value / base:.2f}×"


@dataclass
class Table:
    """A markdown table, printed as it is and kept for BENCHMARKS.md."""

    title: str
    headers: Sequence[str]
    rows: list[Sequence[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: object) -> None:
        self.rows.append([str(c) for c in cells])

    def markdown(self) -> str:
        lines = [f"### {self.title}", "", "| " + " | ".join(self.headers) + " |"]
        lines.append("|" + "|".join("---" for _ in self.headers) + "|")
        lines.extend("| " + " | ".join(row) + " |" for row in self.rows)
        if self.notes:
            lines.append("")
            lines.extend(f"- {note}" for note in self.notes)
        return "\n".join(lines) + "\n"


@dataclass
class Target:
    """One target of the issue, the measured value and whether it is met."""

    what: str
    goal: str
    measured: str
    met: bool

    def row(self) -> list[str]:
        return [self.what, self.goal, self.measured, "yes" if self.met else "**no**"]


# Sections written by benchmarks that run on their own (browsers, several servers) live
# between these markers; ``python -m benchmarks`` keeps them when it rewrites the file.
_SECTION = re.compile(r"<!-- section: (\S+) -->\n.*?<!-- /section: \1 -->\n", re.DOTALL)


def kept_sections(path: Path) -> list[str]:
    """The marked sections of an existing BENCHMARKS.md, in order."""
    text = path.read_text() if path.exists() else ""
    return [match.group(0) for match in _SECTION.finditer(text)]


def write_section(path: Path, name: str, table: Table | Sequence[Table], command: str) -> None:
    """Put ``table`` (or tables) into ``path`` as section ``name``, replacing an earlier one."""
    tables = [table] if isinstance(table, Table) else list(table)
    body = "\n".join(t.markdown() for t in tables)
    block = (
        f"<!-- section: {name} -->\n{body}\nReproduce: `{command}` "
        f"({datetime.now(UTC):%Y-%m-%d}).\n<!-- /section: {name} -->\n"
    )
    text = path.read_text() if path.exists() else ""
    for match in _SECTION.finditer(text):
        if match.group(1) == name:
            path.write_text(text[: match.start()] + block + text[match.end() :])
            return
    notes = text.find("### How to read this")
    if notes < 0:
        path.write_text(text + ("\n" if text else "") + block)
    else:
        path.write_text(text[:notes] + block + "\n" + text[notes:])
