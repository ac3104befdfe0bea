"""Run the fake Strava by hand: ``python -m tests.fake_strava --port 8765``.

Prints the environment to point the app at it, then serves until Ctrl-C.
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Sequence

from tests.fake_strava.factory import make_activities
from tests.fake_strava.server import FakeStrava

NAMES = (("Ada", "Lovelace"), ("Grace", "Hopper"), ("Alan", "Turing"), ("Katherine", "Johnson"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fake_strava", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--client-id", default="12345")
    parser.add_argument("--client-secret", default="fake-client-secret-0123456789")
    parser.add_argument("--activities", type=int, default=500, help="per athlete")
    parser.add_argument("--athletes", type=int, default=2)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added per response")
    parser.add_argument("--authorize-mode", choices=("page", "approve", "deny"), default="page")
    args = parser.parse_args(argv)

    server = FakeStrava(
        args.client_id, args.client_secret, latency=args.latency, host=args.host, port=args.port
    )
    server.authorize_mode = args.authorize_mode
    for n in range(args.athletes):
        athlete_id = 134_815 + n
        first, last = NAMES[n % len(NAMES)]
        # Activities end today, so "recent" stats and this-week charts have data.
        activities = make_activities(
            args.activities, athlete_id=athlete_id, seed=n, end=server.now()
        )
        server.add_athlete(
            athlete_id=athlete_id, firstname=first, lastname=last, activities=activities
        )
    server.start()
    # The secret is printed only because it is a throwaway chosen on this command line.
    print(f"Fake Strava serving at {server.base_url} (API {server.api_url})")
    print(
        f"{args.athletes} athlete(s) with {args.activities} activities each. Point the app at it:"
    )
    print(f"  export STRAVA_BASE_URL={server.base_url}")
    print(f"  export STRAVA_CLIENT_ID={args.client_id}")
    print(f"  export STRAVA_CLIENT_SECRET={args.client_secret}")
    print("Ctrl-C to stop.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
