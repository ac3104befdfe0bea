"""The rate budget in Redis: one budget for every replica of the app.

Per ``(API host, client id)`` two keys: a hash with one :class:`~strava_dash.budget.Count`
per header pair (the usage learned from Strava's headers) and a sorted set of leases
(one member per request in flight, scored by when it expires).

``reserve`` is one Lua script: drop expired leases, compute what is left from the counts,
grant, add leases. A lease expires after ``lease_ttl_s`` so a replica that crashes with
requests in flight cannot hold them forever.

``observe`` does not re-implement the merge rules in Lua: it reads the stored counts with
the server's time, merges in Python with :func:`~strava_dash.budget.merge_reading` (the
function the in-process budget uses) and writes with a compare-and-set script, retrying
when another replica wrote in between. Window indexes come from the Redis server's
clock (``TIME``), so replicas with drifting clocks still agree on the quarter hour.
A test clock (:mod:`strava_dash.clock`, ``DASH_CLOCK_FILE``) shifts that server time by
its offset, as it shifts every other clock of the app; in production the offset is 0.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Literal

import redis

from strava_dash.budget import Count, Reservation, merge_reading, resets_after
from strava_dash.clock import offset_s, utc_now
from strava_dash.ratelimit import RateLimits

log = logging.getLogger(__name__)

#: Longer than a request can take (30 s read timeout, three retries with backoff), so a
#: live request keeps its lease; short enough that a crashed replica's leases free soon.
LEASE_TTL_S = 120.0
#: The counts outlive their day, then vanish with an unused budget.
COUNTS_TTL_S = 2 * 86_400
#: Compare-and-set rounds for one reading; each round at least one writer succeeds.
MAX_MERGE_ROUNDS = 64

TimeSource = Literal["server", "caller"]

# Usage counts while the time is before its ``until``: the rule of Count.left, on the
# values Count stores (until_15min / until_daily), so no window arithmetic lives here.
# The grant mirrors InProcessBudget.reserve; tests/test_budget.py runs one set of cases
# against both.
_RESERVE = """
local now
if ARGV[5] ~= '' then
  now = tonumber(ARGV[5])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[6])
end
local n, probe, ttl = tonumber(ARGV[1]), ARGV[2] == '1', tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local in_flight = redis.call('ZCARD', KEYS[2])
local left, daily = nil, 0
for _, packed in ipairs(redis.call('HVALS', KEYS[1])) do
  local f = {}
  for part in string.gmatch(packed, '[^,]+') do f[#f + 1] = tonumber(part) end
  local left_15 = f[2] - ((now < f[3]) and f[1] or 0)
  local left_day = f[5] - ((now < f[6]) and f[4] or 0)
  if left_day <= 0 then daily = 1 end
  local m = math.min(left_15, left_day)
  if left == nil or m < left then left = m end
end
local granted = 0
if n > 0 then
  if left == nil then
    if in_flight == 0 or probe then granted = 1 end
  elseif left <= 0 then
    if probe then granted = 1 end
  else
    granted = math.min(n, math.max(left - in_flight, 0))
    if granted == 0 and probe then granted = 1 end
  end
end
for i = 1, granted do
  redis.call('ZADD', KEYS[2], now + ttl, ARGV[4] .. ':' .. i)
end
if granted > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
return {granted, left == nil and 0 or 1, left or 0, in_flight + granted, daily, tostring(now)}
"""

_NOW = """
local t = redis.call('TIME')
return {t[1], t[2], unpack(redis.call('HMGET', KEYS[1], unpack(ARGV)))}
"""

# ARGV: ttl, then (field, expected, new) triples; expected '' means "not there yet".
_COMPARE_AND_SET = """
for i = 2, #ARGV, 3 do
  local current = redis.call('HGET', KEYS[1], ARGV[i]) or ''
  if current ~= ARGV[i + 1] then return 0 end
end
for i = 2, #ARGV, 3 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 2]) end
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1
"""


def encode(count: Count) -> str:
    """The stored form; the Lua grant reads the first six fields (usage, limit, until)."""
    fields = (
        count.usage_15min,
        count.limit_15min,
        round(count.until_15min * 1000),
        count.usage_daily,
        count.limit_daily,
        round(count.until_daily * 1000),
        count.window,
        count.day,
    )
    return ",".join(str(f) for f in fields)


def decode(text: str | None) -> Count | None:
    if not text:
        return None
    u15, l15, _, ud, ld, _, window, day = (int(p) for p in text.split(","))
    return Count(window, u15, l15, day, ud, ld)


def _text(value: bytes | str | None) -> str:
    return value.decode() if isinstance(value, bytes) else (value or "")


def _from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


class RedisBudget:
    """A :class:`~strava_dash.budget.RateBudget` kept in Redis, shared by every replica.

    ``time_source="server"`` (the default) takes window indexes from Redis ``TIME`` and
    converts waiting times to the caller's clock; ``"caller"`` trusts the ``now`` given,
    which lets tests drive the windows like the in-process budget's. ``clock_offset``
    (seconds) is added to the server's time: the test clock's offset, 0 in production.
    Redis errors propagate: :mod:`strava_dash.budget_failover` decides what to do.
    """

    def __init__(
        self,
        client: redis.Redis,
        host: str,
        client_id: str,
        *,
        lease_ttl_s: float = LEASE_TTL_S,
        time_source: TimeSource = "server",
        clock_offset: Callable[[], float] = offset_s,
    ) -> None:
        self._redis = client
        # The braces are a hash tag: both keys land on one slot if Redis is a cluster.
        prefix = f"strava-dash:budget:{{{host}/{client_id}}}"
        self.counts_key, self.leases_key = f"{prefix}:counts", f"{prefix}:leases"
        self._ttl_ms = max(round(lease_ttl_s * 1000), 1)
        self._time_source = time_source
        self._clock_offset = clock_offset
        self._reserve_script = client.register_script(_RESERVE)
        self._now_script = client.register_script(_NOW)
        self._cas_script = client.register_script(_COMPARE_AND_SET)
        self._id = uuid.uuid4().hex
        self._seq = 0
        self._held: deque[str] = deque()
        self._lock = threading.Lock()
        self._last_now = utc_now()

    # ------------------------------------------------------------ RateBudget

    def reserve(self, n: int = 1, *, now: datetime, probe: bool = False) -> Reservation:
        if n < 1:
            raise ValueError(f"reserve at least one request, not {n}")
        with self._lock:
            self._seq += 1
            prefix = f"{self._id}:{self._seq}"
        granted, known, left, _, daily, server = self._run(n, now, probe, prefix)
        if granted:
            with self._lock:
                self._held.extend(f"{prefix}:{i}" for i in range(1, granted + 1))
            return Reservation(granted)
        if known and left <= 0:
            wait_until = self._local(resets_after(server, daily=daily), server, now)
            return Reservation(0, wait_until, daily)
        return Reservation(0)

    def release(self, n: int = 1) -> None:
        with self._lock:
            members = [self._held.popleft() for _ in range(min(n, len(self._held)))]
        if members:
            self._redis.zrem(self.leases_key, *members)

    def observe(self, limits: RateLimits) -> None:
        pairs = {k: w for k, w in (("overall", limits.overall), ("read", limits.read)) if w}
        fields = list(pairs)
        for _ in range(MAX_MERGE_ROUNDS):
            reply = self._now_script(keys=[self.counts_key], args=fields)
            seconds = int(reply[0]) + int(reply[1]) / 1e6 + self._clock_offset()
            server = datetime.fromtimestamp(seconds, UTC)
            at = server if self._time_source == "server" else limits.observed_at
            args: list[str | int] = [COUNTS_TTL_S]
            for kind, stored in zip(fields, reply[2:], strict=True):
                old = _text(stored)
                new = encode(merge_reading(decode(old), pairs[kind], at))
                if new != old:
                    args += [kind, old, new]
            if len(args) == 1 or self._cas_script(keys=[self.counts_key], args=args):
                return
        # Leases still cover the requests in flight; the next reading carries this one's news.
        log.warning("Rate budget: gave up merging a reading after %d busy rounds", MAX_MERGE_ROUNDS)

    def remaining(self, now: datetime) -> int | None:
        _, known, left, in_flight, _, _ = self._run(0, now, False, "")
        return max(left - in_flight, 0) if known else None

    def resets_at(self, now: datetime) -> datetime:
        _, _, _, _, daily, server = self._run(0, now, False, "")
        return self._local(resets_after(server, daily=daily), server, now)

    # ------------------------------------------------------------ helpers

    @property
    def in_flight(self) -> int:
        """Leases of every replica that have not expired (at the last caller time given)."""
        _, _, _, in_flight, _, _ = self._run(0, self._last_now, False, "")
        return in_flight

    def _run(
        self, n: int, now: datetime, probe: bool, prefix: str
    ) -> tuple[int, bool, int, int, bool, datetime]:
        self._last_now = now
        at = "" if self._time_source == "server" else str(int(now.timestamp() * 1000))
        offset_ms = round(self._clock_offset() * 1000) if self._time_source == "server" else 0
        reply = self._reserve_script(
            keys=[self.counts_key, self.leases_key],
            args=[n, int(probe), self._ttl_ms, prefix, at, offset_ms],
        )
        granted, known, left, in_flight, daily, server_ms = reply
        server = _from_ms(int(_text(server_ms)))
        return int(granted), bool(known), int(left), int(in_flight), bool(daily), server

    @staticmethod
    def _local(moment: datetime, server_now: datetime, caller_now: datetime) -> datetime:
        """A server-clock moment on the caller's clock, which is what the caller sleeps by."""
        delay: timedelta = moment - server_now
        return caller_now + delay
