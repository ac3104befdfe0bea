"""What could not be read from an archive, kept small whatever the archive holds.

A hostile ``activities.csv`` can have 100,000 bad rows; listing each one made a 5.5 MB
page that froze the browser. Each kind of problem keeps its count and its first few
examples only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

EXAMPLES: Final = 5
"""Notes kept verbatim per kind; the rest of that kind is one counting line."""


@dataclass
class _Kind:
    examples: list[str] = field(default_factory=list)
    count: int = 0


class Notes:
    """Problems by kind (e.g. "rows skipped"), in the order the kinds first came up."""

    def __init__(self, examples: int = EXAMPLES) -> None:
        self._examples = examples
        self._kinds: dict[str, _Kind] = {}

    def add(self, kind: str, text: str) -> None:
        """One problem; ``kind`` names the group in the counting line ("… and 12 more
        {kind}")."""
        entry = self._kinds.setdefault(kind, _Kind())
        entry.count += 1
        if len(entry.examples) < self._examples:
            entry.examples.append(text)

    @property
    def count(self) -> int:
        """Every problem noted, the ones beyond the examples included."""
        return sum(k.count for k in self._kinds.values())

    def lines(self) -> tuple[str, ...]:
        out: list[str] = []
        for kind, entry in self._kinds.items():
            out.extend(entry.examples)
            more = entry.count - len(entry.examples)
            if more:
                out.append(f"… and {more:,} more {kind}")
        return tuple(out)
