"""The demo athlete's life: milestones, gear, seasons, races, injuries and holidays.

Everything here is a pure function of the calendar date, so a day's activities never change
when the window of history moves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

SEED = "dash-for-strava-demo-1"

HR_SINCE = date(2022, 1, 6)
"""A watch and chest strap for Three Kings' Day: heart rate, cadence and temperature from here."""
POWER_SINCE = date(2022, 3, 19)
"""The new road bike arrives with a power meter; the old one is retired the day before."""


@dataclass(frozen=True)
class Gear:
    """A bike or a pair of shoes and the days (``since`` inclusive, ``until`` exclusive) it
    was used."""

    id: str
    name: str
    brand: str
    model: str
    frame_type: int | None
    since: date | None = None
    until: date | None = None
    description: str = ""

    def in_use(self, day: date) -> bool:
        """True when the athlete used this gear on ``day``."""
        return (self.since is None or self.since <= day) and (
            self.until is None or day < self.until
        )


# frame_type codes: 1 mountain bike, 3 road; 5 gravel is a best guess (Strava lists no codes).
BIKES: tuple[Gear, ...] = (
    Gear(
        "b6284519",
        "Émonda",
        "Trek",
        "Émonda ALR 5",
        3,
        until=POWER_SINCE,
        description="First proper road bike. Sold to a friend in 2022.",
    ),
    Gear(
        "b9930471",
        "SuperSix",
        "Cannondale",
        "SuperSix EVO Hi-MOD",
        3,
        since=POWER_SINCE,
        description="Quarq power meter, 52/36 and 11-30.",
    ),
    Gear("b7712035", "Terra", "Orbea", "Terra H30", 5, description="Gravel, 40 mm tyres."),
    Gear("b8356102", "Spark", "Scott", "Spark 960", 1, description="Trail bike for Les Gavarres."),
    Gear(
        "b5409876",
        "Commuter",
        "Specialized",
        "Sirrus X 2.0",
        3,
        description="Mudguards, rack and a bell.",
    ),
)
SHOES: tuple[Gear, ...] = (
    Gear("g10284471", "Pegasus", "Nike", "Air Zoom Pegasus 37", None, until=date(2022, 6, 1)),
    Gear("g12847302", "Clifton 8", "HOKA", "Clifton 8", None, date(2022, 6, 1), date(2024, 9, 1)),
    Gear("g16620931", "Clifton 9", "HOKA", "Clifton 9", None, since=date(2024, 9, 1)),
    Gear("g13004519", "Speedcross", "Salomon", "Speedcross 5", None, description="Trail runs."),
)


def bike_for(sport: str, day: date, *, commute: bool = False) -> str | None:
    """The gear id of the bike used for ``sport`` on ``day`` (None for an e-bike)."""
    if sport == "EBikeRide":
        return None  # a shared city e-bike, while the commuter is in the shop
    if commute:
        return BIKES[4].id
    if sport == "GravelRide":
        return BIKES[2].id
    if sport == "MountainBikeRide":
        return BIKES[3].id
    if sport in ("Ride", "VirtualRide"):
        return BIKES[0].id if BIKES[0].in_use(day) else BIKES[1].id
    return None


def shoes_for(sport: str, day: date) -> str | None:
    """The gear id of the shoes worn for ``sport`` on ``day`` (None for other sports)."""
    if sport == "TrailRun":
        return SHOES[3].id
    if sport == "Run":
        return next(g.id for g in SHOES[:3] if g.in_use(day))
    return None


def summer(day: date) -> float:
    """0.0 in late January, 1.0 in late July: how much the season invites riding outdoors."""
    return 0.5 - 0.5 * math.cos(math.tau * (day.timetuple().tm_yday - 22) / 365.25)


def injured(day: date) -> bool:
    """A calf strain every fourth autumn (2021, 2025, ...): a quiet month with no running."""
    return day.year % 4 == 1 and date(day.year, 10, 6) <= day < date(day.year, 11, 6)


def marathon_day(year: int) -> date | None:
    """The Barcelona marathon (second Sunday of March) in the athlete's marathon years."""
    if year % 5 != 4:
        return None
    march = date(year, 3, 1)
    return march + timedelta(days=(6 - march.weekday()) % 7 + 7)


def weeks_to_marathon(day: date) -> int | None:
    """Whole weeks left before the marathon during its 16-week build-up, else None."""
    race = marathon_day(day.year)
    if race is None or not 0 <= (race - day).days < 16 * 7:
        return None
    return (race - day).days // 7


def holiday(day: date) -> bool:
    """August holidays and Christmas: no commuting, more time for the hills."""
    return (
        (day.month == 8 and day.day <= 23)
        or (day.month, day.day) >= (12, 23)
        or (day.month == 1 and day.day <= 6)
    )


def nth_sunday(year: int, month: int, n: int) -> date:
    """The ``n``-th Sunday of a month."""
    first = date(year, month, 1)
    return first + timedelta(days=(6 - first.weekday()) % 7 + 7 * (n - 1))


def last_sunday(year: int, month: int) -> date:
    """The last Sunday of a month."""
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return nxt - timedelta(days=(nxt.weekday() + 1) % 7 or 7)
