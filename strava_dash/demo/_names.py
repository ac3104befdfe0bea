"""Activity names: Strava's defaults ("Morning Ride") mixed with what a person types."""

from __future__ import annotations

import random
from datetime import datetime

from strava_dash.demo._plans import Plan
from strava_dash.demo._sports import ZwiftRoute

LABELS = {
    "Ride": "Ride",
    "GravelRide": "Gravel Ride",
    "MountainBikeRide": "Mountain Bike Ride",
    "EBikeRide": "E-Bike Ride",
    "VirtualRide": "Virtual Ride",
    "Run": "Run",
    "TrailRun": "Trail Run",
    "Walk": "Walk",
    "Hike": "Hike",
    "Swim": "Swim",
    "Kayaking": "Kayaking",
    "NordicSki": "Nordic Ski",
    "AlpineSki": "Alpine Ski",
    "WeightTraining": "Weight Training",
    "Yoga": "Yoga",
}

ROUTE_NAMES: dict[str, tuple[str, ...]] = {
    "rocacorba": ("Rocacorba", "Rocacorba repeats", "Rocacorba 🔥", "Up Rocacorba, back by Canet"),
    "angels": ("Els Àngels", "Àngels loop", "Els Àngels before dinner", "Quick Àngels"),
    "sant_grau": ("Sant Grau & Tossa", "Sant Grau, coast road back 🌊", "Sant Grau loop"),
    "sant_feliu": ("Coffee ride to Sant Feliu ☕", 'Café stop at "La Fàbrica"', "Coast loop"),
    "banyoles": ("Banyoles lake, easy spin", "Round the lake", "Banyoles loop"),
    "mare_de_deu": ("Mare de Déu del Mont 💪", "Besalú + Mare de Déu del Mont", "The Mont"),
    "sant_hilari": ("Sant Hilari via Osor", "Guilleries loop", "Osor climb, finally"),
    "sant_marti_vell": ("Sant Martí Vell loop", "Short one", "Leg opener"),
    "carrilet": ("Via Verde del Carrilet", "Carrilet to Amer", "Gravel along the Carrilet"),
    "gavarres_gravel": ("Gavarres gravel", "Dusty Gavarres", "Puig d'Arques on gravel"),
    "sant_daniel_mtb": ("Sant Daniel trails", "MTB – Vall de Sant Daniel"),
    "gavarres_mtb": ("Gavarres singletrack", "Muddy Gavarres 🐗"),
    "devesa": ("Devesa loops", "Easy laps in the Devesa"),
    "onyar": ("Along the Onyar", "Old town & river"),
    "ter": ("Ter riverside", "Out to Bescanó and back"),
    "sant_daniel_run": ("Vall de Sant Daniel", "Sant Daniel out & back"),
    "angels_trail": ("Els Àngels trail", "Trail run to the Àngels ⛰️"),
    "montjuic_trail": ("Montjuïc trails", "Stairs and trails, Montjuïc"),
    "barri_vell": ("Stroll through the Barri Vell", "Walk with Bru 🐕"),
    "rocacorba_hike": ("Hike up Rocacorba",),
    "santa_pau": ("Volcanoes of Santa Pau 🌋", "Fageda d'en Jordà"),
    "cami_de_ronda": ("Camí de Ronda, Calella → Tamariu",),
    "banyoles_lake": ("Kayak on Banyoles lake 🛶", "Paddle on the lake"),
    "la_molina": ("La Molina ⛷️", "Ski day at La Molina"),
    "guils": ("Skating at Guils Fontanera", "Nordic ski, Cerdanya"),
}
WALKS = ("Walk with Bru 🐕", "Evening walk by the river", "Afternoon Walk")
RUN_WORKOUTS = ("Intervals 6×1 km", "Tempo 3×10'", "Hill repeats – Montjuïc", "Fartlek")
ZWIFT_WORKOUTS = ("Jon's Mix", "Over-Unders", "SST (Short)", "The Gorby", "FTP Builder")
GYM = {
    "WeightTraining": ("Gym – legs & core", "Strength session", 'Core, glutes and "prehab"'),
    "Yoga": ("Yoga flow 🧘", "Stretch & yoga", "Slow yoga"),
}
INJURED = {
    "Ride": "Easy spin, calf still sore",
    "Walk": "Recovery walk",
    "Yoga": "Physio exercises",
    "Swim": "Swim instead of running 🙄",
}


def part_of_day(hour: int) -> str:
    """Strava's default prefix for an activity starting at local ``hour``."""
    if 5 <= hour < 11:
        return "Morning"
    if 11 <= hour < 14:
        return "Lunch"
    if 14 <= hour < 17:
        return "Afternoon"
    if 17 <= hour < 21:
        return "Evening"
    return "Night"


def _clock(seconds: int) -> str:
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def activity_name(
    plan: Plan,
    start: datetime,
    distance_m: float,
    elapsed_s: int,
    zwift: ZwiftRoute | None,
    hurt: bool,
    rng: random.Random,
) -> str:
    """A name for the activity; races carry their finishing time."""
    default = f"{part_of_day(start.hour)} {LABELS[plan.sport]}"
    if plan.name:
        return plan.name.format(time=_clock(elapsed_s))
    if zwift is not None:
        if plan.workout_type == 12:
            return f"Zwift - {rng.choice(ZWIFT_WORKOUTS)} in {zwift.world}"
        return f"Zwift - {zwift.route} in {zwift.world}"
    if hurt and plan.sport in INJURED and rng.random() < 0.5:
        return INJURED[plan.sport]
    if plan.commute:
        if rng.random() < 0.5:
            return default
        return rng.choice(("Ride home", "Commute home") if plan.reverse else ("Commute", "To work"))
    if rng.random() < 0.5:
        return default
    if plan.sport == "Run" and plan.workout_type == 3:
        return rng.choice(RUN_WORKOUTS)
    if plan.sport == "Run" and plan.workout_type == 2:
        return rng.choice((f"Long run {distance_m / 1000:.0f} km", "Sunday long run"))
    if plan.sport == "Swim":
        return rng.choice((f"Swim {distance_m / 1000:g} km", "Piscina Palau 🏊"))
    if plan.sport == "Walk":
        return rng.choice(WALKS)
    if plan.sport in GYM:
        return rng.choice(GYM[plan.sport])
    if plan.route in ROUTE_NAMES:
        return rng.choice(ROUTE_NAMES[plan.route])
    return default
