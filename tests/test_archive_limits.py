"""What one hostile or huge archive may cost: notes capped to counts and examples, an
answer within seconds, and memory bounded by the CSV's size (issue 11, defect 1)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from strava_dash.archive import ArchiveLimits, open_archive
from strava_dash.archive._notes import EXAMPLES
from strava_dash.errors import DataError
from tests.large_archive import activities_csv, probe, sparse_activities_csv, write_export
from tests.test_archive import CURRENT, make_zip

MAX_GROWTH = 4  # × the CSV's size: the README's per-upload figure


def garbage_ids(rows: int) -> bytes:
    """The current header, then ``rows`` rows whose Activity ID is not a number."""
    lines = [",".join(f'"{c}"' for c in CURRENT)]
    lines += [f"not-a-number-{i},May 6, 2024" for i in range(rows)]
    return make_zip({"activities.csv": "\n".join(lines).encode()})


def test_a_hundred_thousand_bad_rows_give_a_few_notes_within_seconds() -> None:
    data = garbage_ids(100_000)
    started = time.perf_counter()
    archive = open_archive(data)
    elapsed = time.perf_counter() - started
    assert elapsed < 10, f"{elapsed:.1f} s"
    assert archive.problems == 100_000
    assert len(archive.notes) == EXAMPLES + 1
    assert archive.notes[0] == "line 2: no activity id ('not-a-number-0'), row skipped"
    assert archive.notes[-1] == f"… and {100_000 - EXAMPLES:,} more rows skipped like these"
    assert sum(map(len, archive.notes)) < 1000


def test_each_kind_of_note_keeps_its_own_examples(tmp_path: Path) -> None:
    csv_data = activities_csv(CURRENT, 50)  # every row lists a file the ZIP lacks
    archive = open_archive(write_export(tmp_path / "export.zip", csv_data))
    assert archive.problems == 50
    assert archive.notes[:EXAMPLES] == tuple(
        f"activity {1_000_000_000 + i}: file 'activities/{11_000_000_000 + i}.fit.gz' "
        "is listed but not in the archive"
        for i in range(EXAMPLES)
    )
    assert archive.notes[EXAMPLES:] == (
        f"… and {50 - EXAMPLES} more listed files not in the archive",
    )


def test_a_few_notes_are_all_shown() -> None:
    data = garbage_ids(EXAMPLES)
    archive = open_archive(data, routes=False)
    assert archive.problems == EXAMPLES
    assert len(archive.notes) == EXAMPLES
    assert not any(n.startswith("…") for n in archive.notes)


def test_read_archive_grows_the_process_by_at_most_four_times_the_csv(tmp_path: Path) -> None:
    path = write_export(tmp_path / "export.zip", activities_csv(CURRENT, 60_000))
    result = probe(path)
    csv_size = result["csv_bytes"][0]
    assert result["rows"] == [60_000]
    growth = result["peak_growth_bytes"]
    assert growth <= MAX_GROWTH * csv_size, f"{growth / csv_size:.1f}× the CSV ({csv_size:,} B)"


def test_rows_of_three_cells_also_grow_the_process_by_at_most_four_times_the_csv(
    tmp_path: Path,
) -> None:
    # The table's cost follows the activities, the CSV's size their cells: rows stripped
    # to id, date and sport are the least CSV per activity, so the hardest case for the
    # bound (5.5× before the empty columns were shared).
    path = write_export(tmp_path / "export.zip", sparse_activities_csv(CURRENT, 150_000))
    result = probe(path)
    csv_size = result["csv_bytes"][0]
    assert csv_size < 150 * 150_000  # stripped rows, as meant
    assert result["rows"] == [150_000]
    growth = result["peak_growth_bytes"]
    assert growth <= MAX_GROWTH * csv_size, f"{growth / csv_size:.1f}× the CSV ({csv_size:,} B)"


def test_more_activities_than_the_limit_are_refused_before_they_are_held() -> None:
    data = make_zip({"activities.csv": activities_csv(CURRENT, 6)})
    assert len(open_archive(data, limits=ArchiveLimits(max_activities=6)).activities) == 6
    with pytest.raises(DataError, match=r"lists more than 5 activities"):
        open_archive(data, limits=ArchiveLimits(max_activities=5))
