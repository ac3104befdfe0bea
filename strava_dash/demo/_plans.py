"""What the demo athlete plans to do on a given day: sport, part of the day, route, effort.

A plan depends only on the date and a random generator seeded from it; the builder turns
plans into activities.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from strava_dash.demo._life import (
    holiday,
    injured,
    last_sunday,
    marathon_day,
    nth_sunday,
    summer,
    weeks_to_marathon,
)


@dataclass(frozen=True)
class Plan:
    """One activity the athlete means to do; the builder turns it into a SummaryActivity.

    ``band`` is the part of the day (see ``BANDS``); ``target_m`` a distance to aim for (m);
    ``intensity`` scales speed and heart rate around the sport's easy effort (1.0);
    ``minutes`` sets the length of time-based sessions.
    """

    sport: str
    band: str
    route: str | None = None
    target_m: float | None = None
    scale: tuple[float, float] = (0.95, 1.05)
    intensity: float = 1.0
    workout_type: int | None = None
    name: str | None = None
    commute: bool = False
    reverse: bool = False
    race: bool = False
    group: bool = False
    manual: bool = False
    minutes: float | None = None
    start_hour: float | None = None


BANDS: dict[str, tuple[float, float]] = {
    "early": (6.2, 6.9),
    "commute_am": (7.6, 8.15),
    "weekend": (8.3, 9.8),
    "morning": (9.8, 11.0),
    "lunch": (12.6, 13.3),
    "afternoon": (16.3, 18.0),
    "commute_pm": (17.3, 18.3),
    "evening": (18.4, 19.6),
}
"""Local start-hour ranges for each part of the day, in the order a day unfolds."""

ROAD_LONG = {
    "rocacorba": 3.0,
    "sant_grau": 1.5,
    "sant_feliu": 2.5,
    "mare_de_deu": 1.2,
    "sant_hilari": 1.5,
    "banyoles": 1.5,
    "angels": 1.0,
}
"""Relative odds of the weekend road routes; summer adds weight to the big mountain days."""
ROAD_SHORT = {"angels": 3.0, "banyoles": 1.5, "sant_marti_vell": 4.0, "rocacorba": 0.7}
"""Relative odds of the after-work road routes."""


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _ride(rng: random.Random, day: date, *, long: bool, band: str) -> Plan:
    """An outdoor ride: mostly road, some gravel and mountain bike."""
    s = summer(day)
    r = rng.random()
    if r < 0.15:
        route = rng.choice(("carrilet", "gavarres_gravel"))
        scale = (0.6, 1.0) if route == "carrilet" else (0.9, 1.1)
        return Plan("GravelRide", band, route, scale=scale, workout_type=rng.choice((None, 10)))
    if r < 0.25:
        route = rng.choice(("sant_daniel_mtb", "gavarres_mtb"))
        return Plan("MountainBikeRide", band, route, workout_type=rng.choice((None, 10)))
    if long:
        weights = dict(ROAD_LONG)
        weights["mare_de_deu"] += 2.0 * s
        weights["sant_grau"] += 1.5 * s
        scale = (0.95, 1.05 + 0.08 * s)
    else:
        weights, scale = ROAD_SHORT, (0.92, 1.05)
    intensity = 1.0 + (0.04 if rng.random() < 0.2 else 0.0)
    group = long and rng.random() < 0.35
    return Plan(
        "Ride",
        band,
        _pick(rng, weights),
        scale=scale,
        intensity=intensity,
        workout_type=rng.choice((None, 10, 10)),
        group=group,
    )


ZWIFT_MINUTES = (45.0, 95.0)
"""Shortest and longest Zwift session (min)."""


def _zwift(rng: random.Random, band: str) -> Plan:
    """An hour or so on the trainer; about a third are structured workouts."""
    workout = rng.random() < 0.3
    return Plan(
        "VirtualRide",
        band,
        intensity=1.05 if workout else 1.0,
        workout_type=12 if workout else rng.choice((None, 10)),
        minutes=rng.uniform(*ZWIFT_MINUTES) * (0.8 if workout else 1.0),
    )


def _run(rng: random.Random, band: str, kind: str = "easy", km: float | None = None) -> Plan:
    """A run: ``kind`` is easy, workout or long."""
    if kind == "long":
        target = (km or rng.uniform(14, 20)) * 1000.0
        return Plan("Run", band, "ter", target_m=target, intensity=0.98, workout_type=2)
    if kind == "workout":
        return Plan(
            "Run",
            band,
            rng.choice(("devesa", "ter", "onyar")),
            target_m=rng.uniform(8, 12) * 1000.0,
            intensity=1.09,
            workout_type=3,
        )
    route = rng.choice(("devesa", "onyar", "ter", "sant_daniel_run", "devesa"))
    return Plan(
        "Run",
        band,
        route,
        target_m=(km or rng.uniform(6, 11)) * 1000.0,
        workout_type=rng.choice((0, 0, None)),
    )


def _trail_run(rng: random.Random, band: str) -> Plan:
    """A hilly trail run in Les Gavarres, 10-25 km."""
    return Plan(
        "TrailRun",
        band,
        rng.choice(("angels_trail", "montjuic_trail")),
        scale=(0.85, 1.1),
        workout_type=rng.choice((0, None)),
    )


def _walk(rng: random.Random, band: str) -> Plan:
    """A 2.5-7 km walk in town."""
    route = rng.choice(("barri_vell", "devesa", "onyar"))
    return Plan("Walk", band, route, target_m=rng.uniform(2.5, 7) * 1000.0)


def _hike(rng: random.Random, band: str) -> Plan:
    """A 9-14 km hike: Rocacorba, the Garrotxa volcanoes or the coast path."""
    route = rng.choice(("rocacorba_hike", "santa_pau", "cami_de_ronda"))
    return Plan("Hike", band, route, scale=(0.9, 1.15))


def _gym(rng: random.Random, sport: str, band: str) -> Plan:
    """A gym or yoga session of 25-70 min; many are logged by hand afterwards."""
    manual = rng.random() < (0.35 if sport == "WeightTraining" else 0.45)
    minutes = rng.uniform(40, 70) if sport == "WeightTraining" else rng.uniform(25, 60)
    return Plan(sport, band, manual=manual, minutes=minutes)


def _swim(rng: random.Random, band: str) -> Plan:
    """A pool swim of 1.5-3 km in 250 m steps."""
    return Plan("Swim", band, target_m=250.0 * rng.randint(6, 12))


def _race_run(route: str, km: float, intensity: float, name: str, hour: float) -> Plan:
    """A running race of ``km`` kilometres starting at local ``hour``."""
    band = "evening" if hour >= 17 else "weekend"
    return Plan(
        "Run",
        band,
        route,
        target_m=km * 1000.0,
        intensity=intensity,
        workout_type=1,
        race=True,
        name=name,
        start_hour=hour,
    )


def _races(day: date, rng: random.Random) -> list[Plan]:
    """The fixed races of the athlete's year, when they fall on ``day``."""
    if injured(day):
        return []
    marathon = marathon_day(day.year)
    if day == marathon:
        return [_race_run("barcelona_marathon", 42.195, 1.12, "Marató de Barcelona 🏅 {time}", 8.5)]
    if marathon is not None and day == marathon - timedelta(weeks=5):
        return [_race_run("ter", 21.0975, 1.16, "Mitja Marató de Girona – new PB!", 9.5)]
    if (day.month, day.day) == (12, 31) and rng.random() < 0.85:
        return [_race_run("onyar", 5.3, 1.2, "Sant Silvestre Girona 🎆", 18.0)]
    if day == last_sunday(day.year, 10) and rng.random() < 0.7:
        return [_race_run("onyar", 10.0, 1.2, "Cursa de les Fires 10K", 10.0)]
    if day == nth_sunday(day.year, 10, 1) and rng.random() < 0.8:
        name = 'Gran Fondo "Terres de Girona"'
        return [
            Plan(
                "Ride",
                "weekend",
                "sant_grau",
                scale=(1.08, 1.12),
                intensity=1.08,
                workout_type=11,
                race=True,
                group=True,
                name=name,
                start_hour=8.0,
            )
        ]
    return []


def plan_day(day: date, rng: random.Random) -> list[Plan]:
    """What the athlete does on ``day``, before start times are set."""
    races = _races(day, rng)
    if races:
        return races
    s = summer(day)
    wd = day.weekday()
    hurt = injured(day)
    build = weeks_to_marathon(day)
    off = holiday(day)
    plans: list[Plan] = []
    ride_p = 0.5 if hurt else (0.6 if build is not None else 1.0)

    if wd < 4 and not off and rng.random() < 0.08 + 0.12 * s:
        if rng.random() < 0.05:
            name = "E-bike commute (bike in the shop)"
            plans.append(Plan("EBikeRide", "commute_am", "commute", commute=True, name=name))
            plans.append(Plan("EBikeRide", "commute_pm", "commute", commute=True, reverse=True))
        else:
            plans.append(Plan("Ride", "commute_am", "commute", commute=True))
            plans.append(Plan("Ride", "commute_pm", "commute", commute=True, reverse=True))

    if off and day.month == 8:
        plans.extend(_holiday(day, rng))
    elif wd == 0:
        if rng.random() < 0.17 + (0.3 if hurt else 0.0):
            plans.append(_gym(rng, "Yoga", "evening"))
        if rng.random() < 0.12 + 0.15 * (1 - s):
            plans.append(_gym(rng, "WeightTraining", "lunch"))
    elif wd in (1, 3):
        # Tuesdays are for the bike, Thursdays for running (every day of a marathon build).
        run_p = 0.9 if build is not None else (0.6 if wd == 3 else 0.22)
        if not hurt and rng.random() < run_p:
            kind = "workout" if wd == 3 and (build is not None or rng.random() < 0.35) else "easy"
            band = "early" if rng.random() < 0.3 else "evening"
            plans.append(_run(rng, band, kind, km=None if build is None else rng.uniform(9, 13)))
        elif rng.random() < 0.6 * s * ride_p:
            plans.append(_ride(rng, day, long=False, band="evening"))
        elif rng.random() < 0.6 * (1 - s) * ride_p:
            plans.append(_zwift(rng, "evening"))
        if wd == 3 and rng.random() < 0.1 + 0.12 * (1 - s):
            plans.append(_gym(rng, "WeightTraining", "lunch"))
    elif wd == 2:
        if rng.random() < (0.45 if hurt else 0.28):
            plans.append(_swim(rng, "lunch"))
        if rng.random() < 0.4 * s * ride_p:
            plans.append(_ride(rng, day, long=False, band="evening"))
        elif rng.random() < 0.5 * (1 - s) * ride_p:
            plans.append(_zwift(rng, "evening"))
    elif wd == 4:
        if rng.random() < 0.1:
            plans.append(_gym(rng, "Yoga", "evening"))
        elif rng.random() < 0.12 + (0.3 if hurt else 0.0):
            plans.append(_walk(rng, "evening"))
    elif wd == 5:
        plans.extend(_saturday(day, rng, ride_p))
    else:
        plans.extend(_sunday(day, rng, ride_p))
    return plans


def _saturday(day: date, rng: random.Random, ride_p: float) -> list[Plan]:
    """The long ride (or Zwift when it is cold), a ski day now and then in winter."""
    s = summer(day)
    build = weeks_to_marathon(day)
    plans: list[Plan] = []
    if day.month <= 3 and rng.random() < 0.07:
        plans.append(_snow(rng))
    elif rng.random() < (0.55 + 0.35 * s) * ride_p:
        if rng.random() < 0.3 * (1 - s):
            plans.append(_zwift(rng, "weekend"))
        else:
            plans.append(_ride(rng, day, long=True, band="weekend"))
    if build is not None and build > 1 and rng.random() < 0.5:
        plans.append(_run(rng, "afternoon", km=rng.uniform(6, 9)))
    if 6 <= day.month <= 9 and rng.random() < 0.05:
        plans.append(_kayak(rng))
    elif rng.random() < 0.1 + (0.3 if injured(day) else 0.0):
        plans.append(_walk(rng, "afternoon"))
    return plans


def _sunday(day: date, rng: random.Random, ride_p: float) -> list[Plan]:
    """The long run of a marathon build, else a run, a hike or another ride."""
    s = summer(day)
    build = weeks_to_marathon(day)
    plans: list[Plan] = []
    if build is not None:
        km = 14.0 if build <= 1 else 22.0 if build == 2 else min(32.0, 16.0 + (16 - build) * 1.3)
        plans.append(_run(rng, "weekend", "long", km=km))
        if rng.random() < 0.25:
            plans.append(_walk(rng, "afternoon"))
        return plans
    hurt = injured(day)
    r = rng.random()
    if not hurt and r < 0.25:
        long_km = rng.uniform(13, 20) if rng.random() < 0.5 else None
        plans.append(_run(rng, "weekend", "long" if long_km else "easy", km=long_km))
    elif not hurt and r < 0.32:
        plans.append(_trail_run(rng, "weekend"))
    elif r < 0.38:
        plans.append(_hike(rng, "weekend"))
    elif rng.random() < (0.6 + 0.35 * s) * ride_p:
        if day.month <= 3 and rng.random() < 0.06:
            plans.append(_snow(rng))
        else:
            plans.append(_ride(rng, day, long=rng.random() < 0.6, band="weekend"))
    if rng.random() < 0.15 + (0.3 if hurt else 0.0):
        plans.append(_walk(rng, "afternoon"))
    return plans


def _holiday(day: date, rng: random.Random) -> list[Plan]:
    """A day of the August holidays: hills, the lake and long rides."""
    r = rng.random()
    plans: list[Plan] = []
    if r < 0.45:
        plans.append(_ride(rng, day, long=True, band="weekend"))
    elif r < 0.6:
        plans.append(_hike(rng, "weekend"))
    elif r < 0.7:
        plans.append(_kayak(rng))
    elif r < 0.85 and not injured(day):
        plans.append(_run(rng, "early"))
    if rng.random() < 0.15:
        plans.append(_walk(rng, "evening"))
    return plans


def _kayak(rng: random.Random) -> Plan:
    """5-10 km of paddling on Banyoles lake."""
    return Plan("Kayaking", "morning", "banyoles_lake", target_m=rng.uniform(5, 10) * 1000.0)


def _snow(rng: random.Random) -> Plan:
    """A day in the Pyrenees: downhill at La Molina or skating at Guils Fontanera."""
    if rng.random() < 0.6:
        return Plan(
            "AlpineSki",
            "weekend",
            "la_molina",
            target_m=rng.uniform(25, 45) * 1000.0,
            group=True,
            start_hour=9.5,
        )
    return Plan(
        "NordicSki", "weekend", "guils", target_m=rng.uniform(12, 22) * 1000.0, start_hour=10.0
    )
