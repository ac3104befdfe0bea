"""Real places around Girona, Spain, that the demo athlete's routes pass through.

Coordinates are (latitude, longitude) in degrees; heights in metres. The terrain model is
a flat plain with Gaussian hills placed on the real summits, which is enough for believable
climbs, altitude streams and elevation gains.
"""

from __future__ import annotations

from dataclasses import dataclass

LatLng = tuple[float, float]

GIRONA: LatLng = (41.9794, 2.8214)
HOME: LatLng = (41.9816, 2.8165)
PLAIN_M = 70.0
"""Height of the Girona plain, the terrain model's base level (m)."""


@dataclass(frozen=True)
class Hill:
    """A Gaussian bump of the terrain: ``height_m`` above the plain, ``sigma_km`` wide.

    A negative height makes a basin; the coast is drawn that way.
    """

    lat: float
    lng: float
    height_m: float
    sigma_km: float


HILLS: tuple[Hill, ...] = (
    Hill(41.9960, 2.8300, 80.0, 0.5),  # Montjuïc, Girona
    Hill(41.9850, 2.8680, 160.0, 1.3),  # Vall de Sant Daniel ridge
    Hill(41.9588, 2.9121, 380.0, 2.2),  # Santuari dels Àngels
    Hill(41.9050, 2.9550, 320.0, 5.0),  # Les Gavarres
    Hill(41.8780, 2.9570, 150.0, 1.8),  # Puig d'Arques
    Hill(41.7720, 2.9450, 420.0, 3.0),  # Ardenya, Sant Grau
    Hill(42.0683, 2.6830, 880.0, 2.8),  # Rocacorba
    Hill(42.1100, 2.7500, 100.0, 7.0),  # Banyoles plateau
    Hill(42.2475, 2.6560, 950.0, 3.5),  # Mare de Déu del Mont
    Hill(42.1400, 2.5400, 350.0, 6.0),  # Garrotxa volcanoes
    Hill(41.8850, 2.5200, 750.0, 6.0),  # Les Guilleries, Sant Hilari
    Hill(42.3220, 1.8890, 2000.0, 7.0),  # Tosa d'Alp, La Molina
    Hill(42.4550, 1.8660, 1700.0, 5.0),  # Guils Fontanera
    Hill(41.7170, 2.9350, -80.0, 2.5),  # sea at Tossa de Mar
    Hill(41.7790, 3.0300, -80.0, 2.5),  # sea at Sant Feliu de Guíxols
    Hill(41.8150, 3.0700, -80.0, 3.0),  # sea at Platja d'Aro
    Hill(41.8860, 3.1900, -80.0, 3.0),  # sea at Calella de Palafrugell
    Hill(41.3900, 2.1700, -60.0, 6.0),  # Barcelona by the sea
)


@dataclass(frozen=True)
class RouteSpec:
    """A route template: waypoints joined by gently bending roads or paths.

    ``None`` in ``waypoints`` retraces the previous leg (a dead-end climb). ``out_and_back``
    retraces the whole route. ``laps`` lets an instance repeat the route to reach a target
    distance. ``spacing_m`` is the template's point spacing, ``bend`` how far (as a share of
    a leg's length) the road drifts from the straight line, and ``winding`` the ratio of road
    length to straight-line length, made of bends about ``wavelength_m`` long.
    """

    waypoints: tuple[LatLng | None, ...]
    spacing_m: float = 100.0
    bend: float = 0.05
    winding: float = 1.3
    wavelength_m: float = 3000.0
    out_and_back: bool = False
    laps: bool = False


_SARRIA = (42.0170, 2.8260)
_CORNELLA_TERRI = (42.0850, 2.8180)
_BANYOLES = (42.1170, 2.7670)
_SALT = (41.9750, 2.7920)
_BESCANO = (41.9650, 2.7380)
_ANGLES = (41.9550, 2.6380)
_SANT_GREGORI = (41.9890, 2.7580)
_QUART = (41.9550, 2.8350)
_CASSA = (41.8880, 2.8760)
_LLAGOSTERA = (41.8280, 2.8930)
_SANT_FELIU = (41.7810, 3.0290)
_SANTA_CRISTINA = (41.8120, 3.0000)
_CELRA = (42.0330, 2.8790)
_SANT_MARTI_VELL = (42.0190, 2.9290)
_PONT_MAJOR = (42.0000, 2.8350)
_PUJARNOL = (42.0930, 2.7080)
_DEVESA = (41.9835, 2.8140)

# fmt: off
ROUTES: dict[str, RouteSpec] = {
    # Road rides, all from home.
    "rocacorba": RouteSpec(
        (
            HOME, (42.003, 2.826), _SARRIA, (42.062, 2.813), _CORNELLA_TERRI, (42.11, 2.78),
            (42.118, 2.752), (42.102, 2.722), _PUJARNOL, (42.0683, 2.683), None, (42.03, 2.737),
            _SANT_GREGORI, _SALT, HOME,
        ),
    ),
    "angels": RouteSpec(
        (
            HOME, (41.978, 2.835), (41.968, 2.855), (41.962, 2.88), (41.9588, 2.9121),
            (41.975, 2.935), (41.985, 2.969), _SANT_MARTI_VELL, _CELRA, (42.015, 2.845), HOME,
        ),
    ),
    "sant_grau": RouteSpec(
        (
            HOME, _QUART, _CASSA, _LLAGOSTERA, (41.79, 2.925), (41.775, 2.945), (41.745, 2.95),
            (41.723, 2.932), (41.74, 2.975), (41.765, 3.005), _SANT_FELIU, _SANTA_CRISTINA,
            _LLAGOSTERA, _CASSA, _QUART, HOME,
        ),
    ),
    "sant_feliu": RouteSpec(
        (
            HOME, _QUART, _CASSA, _LLAGOSTERA, _SANTA_CRISTINA, _SANT_FELIU, (41.795, 3.055),
            (41.817, 3.062), (41.83, 3.02), _SANTA_CRISTINA, _LLAGOSTERA, _CASSA, HOME,
        ),
    ),
    "banyoles": RouteSpec(
        (
            HOME, _SARRIA, _CORNELLA_TERRI, (42.12, 2.768), (42.135, 2.755), (42.118, 2.745),
            (42.105, 2.755), (42.03, 2.77), _SANT_GREGORI, _SALT, HOME,
        ),
    ),
    "mare_de_deu": RouteSpec(
        (
            HOME, _SARRIA, _CORNELLA_TERRI, _BANYOLES, (42.199, 2.699), (42.238, 2.709),
            (42.2475, 2.656), None, (42.199, 2.699), _BANYOLES, (42.03, 2.77), _SANT_GREGORI, HOME,
        ),
    ),
    "sant_hilari": RouteSpec(
        (
            HOME, _SALT, _BESCANO, _ANGLES, (41.946, 2.566), (41.905, 2.535), (41.878, 2.511),
            (41.865, 2.6), (41.861, 2.668), (41.9, 2.72), (41.94, 2.76), _SALT, HOME,
        ),
    ),
    "sant_marti_vell": RouteSpec(
        (
            HOME, _PONT_MAJOR, _CELRA, _SANT_MARTI_VELL, (41.995, 2.905), (41.985, 2.88), HOME,
        ),
    ),
    # Gravel and mountain bike.
    "carrilet": RouteSpec(
        (
            HOME, _SALT, _BESCANO, _ANGLES, (42.008, 2.603), (42.058, 2.54),
        ),
        bend=0.04, winding=1.15, out_and_back=True,
    ),
    "gavarres_gravel": RouteSpec(
        (
            HOME, (41.968, 2.855), (41.95, 2.89), (41.926, 2.93), (41.878, 2.957), _CASSA,
            (41.94, 2.84), HOME,
        ),
        bend=0.07,
    ),
    "sant_daniel_mtb": RouteSpec(
        (
            HOME, (41.992, 2.84), (41.99, 2.86), (41.98, 2.885), (41.965, 2.88), (41.96, 2.905),
            (41.97, 2.86), (41.985, 2.835), HOME,
        ),
        spacing_m=50.0, bend=0.09, winding=1.35, wavelength_m=1200.0,
    ),
    "gavarres_mtb": RouteSpec(
        (
            HOME, (41.96, 2.85), (41.93, 2.87), (41.91, 2.9), (41.92, 2.93), (41.945, 2.915),
            (41.96, 2.88), HOME,
        ),
        spacing_m=50.0, bend=0.09, winding=1.35, wavelength_m=1200.0,
    ),
    # The commute to the Celrà business park.
    "commute": RouteSpec(
        (
            HOME, (41.987, 2.823), _PONT_MAJOR, (42.02, 2.86), (42.03, 2.87),
        ),
        spacing_m=40.0, bend=0.03, winding=1.12, wavelength_m=900.0,
    ),
    # Runs and walks in town.
    "devesa": RouteSpec(
        (
            HOME, _DEVESA, (41.988, 2.808), (41.9915, 2.811), (41.988, 2.816), (41.985, 2.812),
            (41.983, 2.815), HOME,
        ),
        spacing_m=25.0, bend=0.03, winding=1.08, wavelength_m=600.0, laps=True,
    ),
    "onyar": RouteSpec(
        (
            HOME, (41.984, 2.8215), (41.989, 2.8225), (41.9935, 2.82), (41.999, 2.826),
            (41.9945, 2.83), (41.9875, 2.8264), (41.98, 2.827), (41.977, 2.8245), HOME,
        ),
        spacing_m=25.0, bend=0.03, winding=1.08, wavelength_m=600.0, laps=True,
    ),
    "ter": RouteSpec(
        (
            HOME, _DEVESA, (41.982, 2.795), (41.976, 2.775), (41.97, 2.755), _BESCANO,
        ),
        spacing_m=25.0, bend=0.03, winding=1.08, wavelength_m=600.0, out_and_back=True,
    ),
    "sant_daniel_run": RouteSpec(
        (
            HOME, (41.99, 2.832), (41.992, 2.845), (41.99, 2.86), (41.985, 2.875),
        ),
        spacing_m=25.0, bend=0.04, winding=1.25, wavelength_m=700.0, out_and_back=True,
    ),
    "angels_trail": RouteSpec(
        (
            HOME, (41.99, 2.845), (41.985, 2.87), (41.97, 2.895), (41.9588, 2.9121),
            (41.955, 2.88), (41.965, 2.855), HOME,
        ),
        spacing_m=25.0, bend=0.08, winding=1.25, wavelength_m=700.0,
    ),
    "montjuic_trail": RouteSpec(
        (
            HOME, (41.996, 2.83), (41.999, 2.845), (41.992, 2.862), (41.98, 2.87), (41.978, 2.845),
            HOME,
        ),
        spacing_m=25.0, bend=0.08, winding=1.25, wavelength_m=700.0,
    ),
    "barri_vell": RouteSpec(
        (
            HOME, (41.9848, 2.8236), (41.9875, 2.8264), (41.983, 2.8285), (41.979, 2.826), HOME,
        ),
        spacing_m=20.0, bend=0.03, winding=1.08, wavelength_m=500.0, laps=True,
    ),
    # Hikes, paddles and ski days start where the car is parked.
    "rocacorba_hike": RouteSpec(
        (
            _PUJARNOL, (42.082, 2.695), (42.0683, 2.683), (42.075, 2.675), (42.088, 2.69),
            _PUJARNOL,
        ),
        spacing_m=25.0, bend=0.08, winding=1.25, wavelength_m=700.0,
    ),
    "santa_pau": RouteSpec(
        (
            (42.145, 2.57), (42.138, 2.536), (42.141, 2.518), (42.155, 2.53), (42.145, 2.57),
        ),
        spacing_m=25.0, bend=0.08, winding=1.25, wavelength_m=700.0,
    ),
    "cami_de_ronda": RouteSpec(
        (
            (41.886, 3.186), (41.893, 3.193), (41.895, 3.203), (41.918, 3.206),
        ),
        spacing_m=25.0, bend=0.06, winding=1.25, wavelength_m=700.0, out_and_back=True,
    ),
    "banyoles_lake": RouteSpec(
        (
            (42.1145, 2.7595), (42.118, 2.755), (42.128, 2.752), (42.133, 2.757), (42.125, 2.761),
            (42.116, 2.762), (42.1145, 2.7595),
        ),
        spacing_m=25.0, bend=0.02, winding=1.05, wavelength_m=800.0, laps=True,
    ),
    "la_molina": RouteSpec(
        (
            (42.337, 1.955), (42.325, 1.905), (42.333, 1.94), (42.322, 1.895), (42.337, 1.955),
        ),
        spacing_m=50.0, winding=1.2, wavelength_m=1500.0, laps=True,
    ),
    "guils": RouteSpec(
        (
            (42.455, 1.866), (42.462, 1.88), (42.45, 1.89), (42.445, 1.872), (42.455, 1.866),
        ),
        spacing_m=25.0, winding=1.25, wavelength_m=700.0, laps=True,
    ),
    # The Barcelona marathon course, roughly.
    "barcelona_marathon": RouteSpec(
        (
            (41.375, 2.149), (41.379, 2.133), (41.3809, 2.1228), (41.387, 2.129), (41.394, 2.143),
            (41.392, 2.165), (41.396, 2.163), (41.4036, 2.1744), (41.398, 2.181),
            (41.4036, 2.1871), (41.409, 2.203), (41.4107, 2.22), (41.404, 2.211), (41.395, 2.201),
            (41.387, 2.196), (41.3806, 2.1896), (41.376, 2.179), (41.383, 2.177), (41.391, 2.1806),
            (41.386, 2.17), (41.376, 2.165), (41.375, 2.149),
        ),
        spacing_m=25.0, bend=0.02, winding=1.05, wavelength_m=800.0, laps=True,
    ),
}
# fmt: on
