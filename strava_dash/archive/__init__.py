"""Strava's bulk export (the ``export_….zip`` from "Download or Delete Your Account").

* :func:`read_archive` — the activity table, in exactly :func:`strava_dash.activities.to_frame`'s
  schema, so every page, filter, chart and download works on it unchanged.
* :func:`open_archive` — the same table plus, per activity, its recorded track in the
  streams ``key_by_type`` shape (:meth:`Archive.track`), which
  :func:`strava_dash.gpx.to_gpx` turns into a GPX file as it does for API streams.

Each ``activities.csv`` row gives the values a SummaryActivity would have, kept in
columns (:mod:`._csv`) that become the table through
:func:`strava_dash.activities.from_columns`, so the table is what ``to_frame`` makes of
those records (:attr:`Archive.records` makes them, on demand). What the export does not
have stays NA, never made up:

* ``start_date`` is ``Activity Date`` (UTC). The export has no time zone; the local
  time is set as the API gives it (``timezone`` "(GMT+01:00) Europe/Madrid" with the
  zone's *standard* offset, ``utc_offset`` the real one at the start, DST included, in
  seconds, ``start_date_local`` the wall clock with Strava's ``Z``), from the first of:

  1. the IANA zone where the activity's track starts (timezonefinder's offline
     boundaries; zoneinfo's rules). Not for ``Virtual*`` sports, whose positions are
     a game world's (Zwift's Watopia lies in the Pacific);
  2. the device clock a FIT file records (``activity.local_timestamp``): ``utc_offset``
     and ``start_date_local`` only, ``timezone`` NA (an offset names no zone);
  3. the zone of the tracked activity nearest in time (by ``start_date``, the earlier
     one on a tie): manual and indoor activities are most likely where the athlete was
     training then.

  The extra boolean column ``local_time_inferred`` says which: False for 1 and 2, True
  for 3, NA when no local time is known (no activity with a zone, e.g. ``routes=False``
  or no GPS at all). Those keep ``start_date_local`` = the **UTC** clock and
  ``timezone`` / ``utc_offset`` NA, so their local-calendar columns (``hour``,
  ``weekday``, ``local_date``…) are UTC-based; a UI can tell by ``utc_offset`` being NA.
* ``distance`` is the metre column; rows without one use the display-unit column, its
  unit (km or mi) found by comparing with the metre column, else with the tracks'
  length, else given as ``distance_unit``; when none of these tells, distance is NA.
* ``gear_id`` stays NA: the export names gear, it does not give Strava's gear id. The
  name is in the extra column ``gear_name``; ``calories``, ``description``,
  ``private_note`` and ``local_time_inferred`` are extra columns too. ``kilojoules`` is
  ``Total Work`` (J) / 1000.
* ``manual`` is True when ``Filename`` is empty; ``upload_id`` is the number in
  ``Filename`` (Strava names the files after the upload id).
* The route (``map_summary_polyline``, at most 200 points, and ``start_/end_lat/lng``)
  comes from the activity's file (``.gpx``, ``.tcx``, ``.fit``, plain or ``.gz``).
* NA: ``type`` for sport types with no legacy type, ``workout_type``, ``trainer``,
  ``private``, ``visibility``, ``device_watts``, kudos /
  comment / achievement / photo / PR counts, ``athlete_id``, ``map_id``,
  ``external_id``, ``location_*``, ``device_name``, ``resource_state`` and the other
  API booleans.

The upload is untrusted: see :class:`ArchiveLimits`; nothing is written to disk.
"""

from __future__ import annotations

import bisect
import math
import statistics
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property, lru_cache
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from strava_dash.archive import _csv, _table, _tracks
from strava_dash.archive._notes import Notes
from strava_dash.archive._zip import (
    ArchiveLimits,
    Budget,
    BudgetExceeded,
    Source,
    gunzip,
    open_member,
    open_zip,
    read_member,
    unsafe_name,
)
from strava_dash.errors import DataError
from strava_dash.units import M_PER_KM, M_PER_MI

if TYPE_CHECKING:
    from timezonefinder import TimezoneFinder

__all__ = ["Archive", "ArchiveLimits", "DistanceUnit", "open_archive", "read_archive"]

DistanceUnit = Literal["km", "mi"]
_FACTORS: Final[dict[DistanceUnit, float]] = {"km": M_PER_KM, "mi": M_PER_MI}
_KINDS: Final = {".gpx": "gpx", ".tcx": "tcx", ".fit": "fit"}
# Kinds of notes (Notes counts each kind beyond its first few examples).
_NOT_THERE: Final = "listed files not in the archive"
_UNKNOWN_KIND: Final = "files of kinds this app cannot read"
OnTrack = Callable[[int, int], None]
"""Progress while routes are read: ``(done, total)`` track files."""


class Archive:
    """An opened Strava export: the activity table, and each activity's track on demand.

    Keeps the ZIP open to read tracks later (the source file object must stay readable);
    close it with :meth:`close` or a ``with`` block.
    """

    def __init__(
        self,
        zf: zipfile.ZipFile,
        limits: ArchiveLimits,
        activities: pd.DataFrame,
        files: dict[int, zipfile.ZipInfo],
        notes: Notes,
        header: str,
        distance_unit: DistanceUnit | None,
    ) -> None:
        self._zf = zf
        self._limits = limits
        self._files = files
        self._lock = threading.Lock()
        self.activities: pd.DataFrame = activities
        """The activity table in :func:`strava_dash.activities.to_frame`'s schema."""
        self.notes: tuple[str, ...] = notes.lines()
        """What could not be read (skipped rows, unreadable or missing track files): per
        kind, the first few, then how many more."""
        self.problems: int = notes.count
        """How many things could not be read, all of them (:attr:`notes` shows a few)."""
        self.header = header
        """How ``activities.csv``'s header was read, e.g. "English header, read by column name"."""
        self.distance_unit = distance_unit
        """The display unit of the first ``Distance`` column, when it could be told."""

    @cached_property
    def records(self) -> list[dict[str, Any]]:
        """The rows as SummaryActivity-shaped dicts (what the JSON download exports).

        Made on first use: a dict per activity costs many times the table's memory.
        """
        return _table.records(self.activities)

    def records_for(self, ids: list[int]) -> list[dict[str, Any]]:
        """The records of ``ids``, in that order (ids not in the archive are skipped)."""
        table = self.activities
        found = table[table["id"].isin(ids)]
        by_id = {r["id"]: r for r in _table.records(found)}
        return [by_id[i] for i in ids if i in by_id]

    def has_track(self, activity_id: int) -> bool:
        """Whether the archive holds a recorded file for this activity."""
        return activity_id in self._files

    def track(self, activity_id: int) -> dict[str, dict[str, Any]]:
        """The activity's recorded samples in the streams ``key_by_type`` shape.

        ``time`` counts seconds from the activity's ``start_date``, so
        ``to_gpx(record, archive.track(id))`` gives the file's own point times.

        Raises:
            DataError: no such activity, no recorded file (manual activity), or the file
                cannot be read.
        """
        info = self._files.get(activity_id)
        if info is None:
            raise DataError(
                f"activity {activity_id} has no recorded file in the archive "
                "(a manual activity, or its file is missing)"
            )
        if self._zf.fp is None:
            raise DataError("the archive is closed; open it again to read tracks")
        with self._lock:
            try:
                points = _load(self._zf, info, self._limits, Budget(self._limits.max_total_bytes))
            except (ValueError, OSError) as exc:  # the caller closed the uploaded file
                raise DataError(
                    f"the archive can no longer be read ({exc}); upload it again"
                ) from exc
        return _tracks.to_streams(points, self._start(activity_id))

    def _start(self, activity_id: int) -> float | None:
        starts = self.activities.loc[self.activities["id"] == activity_id, "start_date"]
        return None if starts.empty or pd.isna(starts.iloc[0]) else starts.iloc[0].timestamp()

    def close(self) -> None:
        self._zf.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def read_archive(
    file: Source,
    *,
    limits: ArchiveLimits = ArchiveLimits(),  # noqa: B008 - frozen, safe as a default
    routes: bool = True,
    distance_unit: DistanceUnit | None = None,
    on_track: OnTrack | None = None,
) -> pd.DataFrame:
    """The export's activity table (see the module doc for what each column holds).

    ``file`` is a path to the ZIP, its bytes or a binary file object. ``routes=False``
    skips reading the track files (much faster; no map columns then).

    Raises:
        DataError: the upload is not a usable Strava export; the message says why.
    """
    with open_archive(
        file, limits=limits, routes=routes, distance_unit=distance_unit, on_track=on_track
    ) as archive:
        return archive.activities


def open_archive(
    file: Source,
    *,
    limits: ArchiveLimits = ArchiveLimits(),  # noqa: B008 - frozen, safe as a default
    routes: bool = True,
    distance_unit: DistanceUnit | None = None,
    on_track: OnTrack | None = None,
) -> Archive:
    """Open the export: read ``activities.csv`` and, with ``routes``, every track file
    for the map (``on_track(done, total)`` reports progress).

    ``distance_unit`` is the first ``Distance`` column's unit when the export has no
    metre column and no track to tell it by (the oldest exports).

    Raises:
        DataError: too big, not a ZIP, a possible ZIP bomb, unsafe names, no
            ``activities.csv``, or one that is not CSV or lacks required columns.
    """
    zf = open_zip(file, limits)
    try:
        return _open(zf, limits, routes, distance_unit, on_track)
    except BaseException:
        zf.close()
        raise


def _open(
    zf: zipfile.ZipFile,
    limits: ArchiveLimits,
    routes: bool,
    distance_unit: DistanceUnit | None,
    on_track: OnTrack | None,
) -> Archive:
    budget = Budget(limits.max_total_bytes)
    csv_info = _find_csv(zf)
    base = csv_info.filename.rpartition("/")[0]
    members = {info.filename: info for info in zf.infolist() if not info.is_dir()}
    folded = {name.casefold(): info for name, info in members.items()}
    files: dict[int, zipfile.ZipInfo] = {}
    notes = Notes()

    def on_file(activity_id: int, filename: str) -> None:
        what = f"activity {activity_id}: file {filename!r}"
        if unsafe_name(filename):
            notes.add("file names ignored", f"{what} ignored ({unsafe_name(filename)})")
            return
        name = "/".join(p for p in (base, filename.replace("\\", "/")) if p)
        info = members.get(name) or folded.get(name.casefold())
        if info is None:
            notes.add(_NOT_THERE, f"{what} is listed but not in the archive")
        elif _kind(info.filename) is None:
            notes.add(_UNKNOWN_KIND, f"{what} is of a kind this app cannot read")
        else:
            files[activity_id] = info

    # Counted first, so the columns are sized once: growing arrays leave freed holes that
    # the process keeps (measured: 9 MB more for 60,000 rows).
    with open_member(zf, csv_info, limits.max_csv_bytes, budget, "activities.csv") as stream:
        lines = _csv.count_lines(stream)
    with open_member(zf, csv_info, limits.max_csv_bytes, budget, "activities.csv") as stream:
        columns = _csv.read(stream, notes, on_file, capacity=lines, max_rows=limits.max_activities)
    if columns.bad_dates:
        undated = _activities(columns.bad_dates)
        notes.add("dates", f"{undated} without start: {columns.first_bad_date}")
    _keep_last(columns)
    columns.newest_first()

    found = _Facts()
    local = None
    if routes:
        found = _add_routes(zf, limits, budget, columns, files, notes, on_track)
        local = _local_times(columns, found)
    unit = distance_unit or _display_unit(columns, found.lengths)
    _fill_distance(columns, unit, notes)
    table = _table.table(columns, found.routes, local)
    return Archive(zf, limits, table, files, notes, columns.where.how, unit)


def _keep_last(columns: _csv.Columns) -> None:
    """One row per id, the last one (as ``to_frame`` keeps the last record of an id)."""
    ids = columns.ids
    if len(np.unique(ids)) == len(ids):
        return
    reversed_first = np.unique(ids[::-1], return_index=True)[1]
    columns.take(np.sort(len(ids) - 1 - reversed_first))


def _find_csv(zf: zipfile.ZipFile) -> zipfile.ZipInfo:
    found = [
        info
        for info in zf.infolist()
        if info.filename.rpartition("/")[2].casefold() == "activities.csv"
        and not info.filename.startswith("__MACOSX/")
    ]
    if not found:
        infos = zf.infolist()
        listed = ", ".join(repr(i.filename) for i in infos[:5]) + (", …" if len(infos) > 5 else "")
        raise DataError(
            "the ZIP has no activities.csv, so it is not a Strava account export "
            f"(it holds {len(infos)} files: {listed or 'nothing'})"
        )
    return min(found, key=lambda info: info.filename.count("/"))


def _kind(name: str) -> str | None:
    stem = name.casefold().removesuffix(".gz")
    for suffix, kind in _KINDS.items():
        if stem.endswith(suffix):
            return kind
    return None


def _load(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ArchiveLimits, budget: Budget
) -> _tracks.Points:
    what = info.filename
    data = read_member(zf, info, limits.max_track_bytes, budget, what)
    if info.filename.casefold().endswith(".gz"):
        data = gunzip(data, limits.max_track_bytes, limits, budget, what)
    kind = _kind(info.filename)
    if kind is None:  # pragma: no cover - files are filtered by kind when listed
        raise DataError(f"{what} is of a kind this app cannot read")
    return _tracks.parse(data, kind, what)


@dataclass
class _Facts:
    """What the tracks tell, by activity id."""

    routes: _table.Routes = field(default_factory=_table.Routes)
    lengths: dict[int, float] = field(default_factory=dict)
    """The track's length (m), to tell the display unit of ``Distance``."""
    zones: dict[int, str] = field(default_factory=dict)
    """The IANA zone where the track starts (not for virtual sports)."""
    clocks: dict[int, float] = field(default_factory=dict)
    """The FIT device clock's offset from UTC (s), when the file records it."""


def _add_routes(
    zf: zipfile.ZipFile,
    limits: ArchiveLimits,
    budget: Budget,
    columns: _csv.Columns,
    files: dict[int, zipfile.ZipInfo],
    notes: Notes,
    on_track: OnTrack | None,
) -> _Facts:
    """Each tracked activity's route, and what else its track tells."""
    facts = _Facts()
    starts: dict[int, tuple[float, float]] = {}
    sports = columns.texts["sport_type"]
    todo = [(row, a) for row, a in enumerate(columns.ids.tolist()) if a in files]
    for done, (row, activity_id) in enumerate(todo, start=1):
        try:
            points = _load(zf, files[activity_id], limits, budget)
        except BudgetExceeded:
            raise
        except DataError as exc:
            notes.add("track files that could not be read", f"activity {activity_id}: {exc}")
            continue
        finally:
            if on_track is not None:
                on_track(done, len(todo))
        if points.clock_offset is not None:
            facts.clocks[activity_id] = points.clock_offset
        found = _tracks.route(points)
        if found is not None:
            facts.routes.polylines[activity_id] = found.summary_polyline
            facts.routes.starts[activity_id] = found.start
            facts.routes.ends[activity_id] = found.end
            facts.lengths[activity_id] = found.length_m
            if not str(sports[row] or "").startswith("Virtual"):
                starts[activity_id] = found.start
    facts.zones = _zones_at(starts)
    return facts


# --------------------------------------------------------------------------- local time

_ZONE_LOCK: Final = threading.Lock()  # a TimezoneFinder must not be used by two threads


@lru_cache(maxsize=1)
def _zone_finder() -> TimezoneFinder:
    """One finder for the process (call it holding ``_ZONE_LOCK``). Its boundary data,
    installed with it, are memory-mapped: about 10 MB of RAM, where ``in_memory=True``
    takes 35 MB for no faster lookups. Imported here, when first needed (0.1 s)."""
    from timezonefinder import TimezoneFinder

    return TimezoneFinder()


def _zones_at(starts: dict[int, tuple[float, float]]) -> dict[int, str]:
    """The IANA zone at each ``(lat, lng)``, by id (at sea: ``Etc/GMT±n``); zones that
    zoneinfo does not know are left out."""
    if not starts:
        return {}
    with _ZONE_LOCK:
        finder = _zone_finder()
        found = {i: finder.timezone_at(lng=lng, lat=lat) for i, (lat, lng) in starts.items()}
    return {i: zone for i, zone in found.items() if zone and _zone_info(zone) is not None}


@lru_cache(maxsize=512)
def _zone_info(zone: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):  # tzdata older than the boundary data
        return None


@lru_cache(maxsize=4096)
def _zone_label(zone: str, year: int) -> str:
    """Strava's ``timezone``: "(GMT+01:00) Europe/Madrid", the zone's standard offset.

    The standard offset is the smaller of the year's 1 January and 1 July offsets: DST
    only ever adds to it. (zoneinfo's ``dst()`` would not do: it takes Irish winter time
    as a negative DST and so gives Europe/Dublin +01:00, where Strava says +00:00.)
    """
    tz = _zone_info(zone) or UTC
    offsets = [datetime(year, month, 1, tzinfo=UTC).astimezone(tz).utcoffset() for month in (1, 7)]
    minutes = round(min(o or timedelta(0) for o in offsets).total_seconds() / 60)
    hours, rest = divmod(abs(minutes), 60)
    return f"(GMT{'-' if minutes < 0 else '+'}{hours:02d}:{rest:02d}) {zone}"


def _local_times(columns: _csv.Columns, facts: _Facts) -> _table.Local:
    """Each dated activity's local time, as the module doc says: its own track's zone,
    else its FIT device clock, else the zone of the tracked activity nearest in time.
    Activities with none keep the UTC clock (offset NaN)."""
    n = len(columns)
    local = _table.Local(np.full(n, np.nan), [None] * n, np.full(n, -1, dtype=np.int8))
    ids, starts = columns.ids.tolist(), columns.starts.tolist()
    zoned = sorted(
        (seconds, facts.zones[activity_id])
        for activity_id, seconds in zip(ids, starts, strict=True)
        if activity_id in facts.zones and seconds != _csv.NO_START
    )
    moments = [start for start, _ in zoned]
    for row, (activity_id, seconds) in enumerate(zip(ids, starts, strict=True)):
        if seconds == _csv.NO_START:
            continue
        zone = facts.zones.get(activity_id)
        clock = facts.clocks.get(activity_id)
        inferred = False
        if zone is None and clock is None:
            if not zoned:
                continue
            at = bisect.bisect_left(moments, seconds)
            near = [i for i in (at - 1, at) if 0 <= i < len(zoned)]
            nearest = min(near, key=lambda i: abs(moments[i] - seconds))  # earlier on a tie
            zone, inferred = zoned[nearest][1], True
        if zone is not None:
            start = datetime.fromtimestamp(seconds, UTC)
            offset = start.astimezone(_zone_info(zone) or UTC).utcoffset() or timedelta(0)
            local.zones[row] = _zone_label(zone, start.year)
            local.offsets[row] = offset.total_seconds()
        else:
            local.offsets[row] = clock or 0.0
        local.inferred[row] = int(inferred)
    return local


def _display_unit(columns: _csv.Columns, lengths: dict[int, float]) -> DistanceUnit | None:
    """km or mi for the first Distance column: from the metre column, else the tracks."""
    shown = columns.floats.get("distance_display")
    if shown is None:  # no row gives a display distance: nothing to tell the unit of
        return None
    metres = columns.floats.get("distance")
    ratios: list[float] = []
    if metres is not None:
        both = (np.nan_to_num(metres) != 0) & (np.nan_to_num(shown) != 0)
        ratios = (metres[both] / shown[both]).tolist()
    if not ratios:
        ratios = [
            lengths[a] / d
            for a, d in zip(columns.ids.tolist(), shown.tolist(), strict=True)
            if d and not math.isnan(d) and lengths.get(a)
        ]
    if not ratios:
        return None
    ratio = statistics.median(ratios)
    for unit, factor in _FACTORS.items():
        if abs(math.log(ratio / factor)) < math.log(1.15):
            return unit
    return None


def _fill_distance(columns: _csv.Columns, unit: DistanceUnit | None, notes: Notes) -> None:
    shown = columns.floats.get("distance_display")
    if shown is None:
        return
    metres = columns.float_column("distance")
    lacking = np.isnan(metres) & ~np.isnan(shown)
    if not lacking.any():
        return
    if unit is None:
        notes.add(
            "distances",
            f"{_activities(int(lacking.sum()))} without distance: the export gives it only in "
            "the display unit, and whether that is km or mi could not be told",
        )
        return
    metres[lacking] = shown[lacking] * _FACTORS[unit]
    moving = columns.floats.get("moving_time")
    if moving is None:  # no moving time: no speed to work out
        return
    speed = columns.float_column("average_speed")
    fill = lacking & np.isnan(speed) & (np.nan_to_num(moving) != 0)
    speed[fill] = metres[fill] / moving[fill]


def _activities(n: int) -> str:
    return f"{n} activit{'y' if n == 1 else 'ies'}"
