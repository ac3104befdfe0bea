"""How the demo athlete does each sport, in the units of the API and of everyday talk.

Speeds in km/h, climbing in m/km, heart rate in bpm, cadence in rpm (steps per minute per
leg on foot).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

RIDER_KG = 71.0


@dataclass(frozen=True)
class Sport:
    """How the athlete does a sport: easy speed (km/h) and what the speed loses per m/km of
    climbing, plausible speed range, max/average speed ratio, small climbing the terrain
    model misses (m/km), easy average heart rate (bpm, 0 = never recorded), average
    cadence (rpm or steps per minute per leg, 0 = none), and typical kudos."""

    parent: str
    kmh: float
    climb_penalty: float
    kmh_range: tuple[float, float]
    max_ratio: tuple[float, float]
    rolling: float
    hr: float
    cadence: float
    kudos: float


SPORTS: dict[str, Sport] = {
    "Ride": Sport("Ride", 30.5, 0.2, (19.0, 35.0), (1.9, 2.4), 3.0, 136, 86, 10),
    "GravelRide": Sport("Ride", 23.0, 0.15, (16.0, 27.0), (1.9, 2.4), 5.0, 134, 80, 8),
    "MountainBikeRide": Sport("Ride", 17.5, 0.1, (11.0, 20.0), (2.0, 2.6), 10.0, 142, 76, 7),
    "EBikeRide": Sport("EBikeRide", 22.0, 0.05, (17.0, 26.0), (1.3, 1.6), 1.0, 104, 0, 2),
    "VirtualRide": Sport("VirtualRide", 32.0, 0.24, (10.0, 38.0), (1.5, 2.0), 0.0, 140, 88, 5),
    "Run": Sport("Run", 10.9, 0.05, (9.6, 15.0), (1.25, 1.55), 2.0, 149, 85, 6),
    "TrailRun": Sport("Run", 9.8, 0.05, (6.5, 11.0), (1.5, 1.9), 20.0, 152, 82, 8),
    "Walk": Sport("Walk", 5.0, 0.02, (4.0, 6.0), (1.3, 1.6), 2.0, 97, 57, 2),
    "Hike": Sport("Hike", 4.6, 0.015, (2.5, 5.5), (1.4, 1.9), 25.0, 121, 53, 6),
    "Swim": Sport("Swim", 2.9, 0.0, (2.4, 3.4), (1.2, 1.35), 0.0, 0, 0, 3),
    "Kayaking": Sport("Kayaking", 6.5, 0.0, (5.0, 8.0), (1.3, 1.5), 0.0, 112, 0, 6),
    "NordicSki": Sport("NordicSki", 10.0, 0.05, (6.0, 14.0), (1.8, 2.4), 6.0, 146, 0, 8),
    "AlpineSki": Sport("AlpineSki", 13.0, 0.0, (8.0, 18.0), (4.5, 6.0), 0.0, 118, 0, 9),
    "WeightTraining": Sport("WeightTraining", 0.0, 0.0, (0.0, 0.0), (0.0, 0.0), 0.0, 106, 0, 1),
    "Yoga": Sport("Yoga", 0.0, 0.0, (0.0, 0.0), (0.0, 0.0), 0.0, 84, 0, 1),
}
RIDES = frozenset({"Ride", "GravelRide", "MountainBikeRide", "VirtualRide"})
"""Sport types with power: measured on the road bike and trainer, estimated elsewhere."""


class ZwiftRoute(NamedTuple):
    """A Zwift route: its world, name, lap length (km) and climbing per lap (m)."""

    world: str
    route: str
    lap_km: float
    lap_climb_m: float


ZWIFT_ROUTES: tuple[ZwiftRoute, ...] = (
    ZwiftRoute("Watopia", "Tempus Fugit", 17.3, 16.0),
    ZwiftRoute("Watopia", "Volcano Circuit", 4.1, 21.0),
    ZwiftRoute("Watopia", "Mountain Route", 29.6, 653.0),
    ZwiftRoute("Watopia", "Road to Sky", 17.5, 1075.0),
    ZwiftRoute("Watopia", "Three Sisters", 47.8, 900.0),
    ZwiftRoute("Makuri Islands", "Castle to Castle", 24.5, 173.0),
    ZwiftRoute("London", "Greater London Flat", 11.8, 71.0),
    ZwiftRoute("Richmond", "Richmond UCI Worlds", 16.2, 142.0),
    ZwiftRoute("New York", "Park Perimeter Loop", 9.6, 86.0),
    ZwiftRoute("France", "Petit Boucle", 9.5, 230.0),
)
