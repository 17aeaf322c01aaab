"""The send pacing's windows in Redis, shared by every bot process of one token.

Several processes behind one proxy send for the same bot: Telegram's 30 a second overall,
20 a minute per group or channel and one a second per private chat hold for all of them
together. Each reservation runs as one Lua script, so finding the earliest free slot and
taking it is atomic across processes: the same sliding-window rule as `bot.pacing.Windows`,
over sorted sets whose scores are the reserved moments. The clock is Redis' own (TIME), one
clock for every host; a test passes its virtual clock instead.

If Redis cannot be reached a send is not held up: the windows fall back to this process's
memory (each process then keeps the limits on its own) and a warning says so.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.pacing import Limit, MemoryWindows, Slot

log = logging.getLogger(__name__)

# Every script's `now`: ARGV[1], or Redis' own clock when that is empty.
_NOW = """
local now
if ARGV[1] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
else
  now = tonumber(ARGV[1])
end
"""

# A send reserved and not yet answered waits for its moment or is under way: the pending set
# holds each at its moment, the line set its place in line (from a counter: first reserved,
# first placed). One whose process died never gets answered: under way this long, it is
# forgotten (PTB gives up on a request after at most 20 s).
_UNDER_WAY_SECONDS = 60

# KEYS: n window keys, their n hold keys, the pending and line sets, the line's counter. ARGV:
# now ("" =
# Redis' TIME), after, member, mode, then count and seconds of each limit. Mode "reserve"
# takes a new slot; "reslot" moves the member's own (see `WindowStore.reslot`); "ask" takes
# nothing. Returns {slot, now} as strings (a Lua number would be cut to an integer on its
# way out).
_RESERVE = (
    _NOW
    + f"local under_way = {_UNDER_WAY_SECONDS}\n"
    + """
local n = (#KEYS - 3) / 2
local pending, line, counter = KEYS[2 * n + 1], KEYS[2 * n + 2], KEYS[2 * n + 3]
local base = math.max(now, tonumber(ARGV[2]))
local member, mode = ARGV[3], ARGV[4]
local function fmt(x) return string.format('%.6f', x) end
for _, m in ipairs(redis.call('ZRANGEBYSCORE', pending, '-inf', '(' .. fmt(now - under_way))) do
  redis.call('ZREM', pending, m)
  redis.call('ZREM', line, m)
end
-- A send under way (its moment passed) reaches Telegram no earlier than now: counted so in
-- these windows, no send placed here can crowd it when it arrives.
for _, m in ipairs(redis.call('ZRANGEBYSCORE', pending, '-inf', '(' .. fmt(now))) do
  for i = 1, n do redis.call('ZADD', KEYS[i], 'XX', fmt(now), m) end
end
local my_place = nil
if mode == 'reslot' then
  local place = redis.call('ZSCORE', line, member)
  if place then my_place = tonumber(place) else mode = 'reserve' end
end
-- Whether m's slot is still to come and was reserved after this one's (not counted here).
local places = {}
local function behind(m, at)
  if my_place == nil then return false end
  if m == member then return true end
  if at <= now then return false end
  if places[m] == nil then
    local place = redis.call('ZSCORE', line, m)
    places[m] = place ~= false and place ~= nil and tonumber(place) > my_place
  end
  return places[m]
end
local counts, spans, times = {}, {}, {}
local longest = 0
local candidates = {}
for i = 1, n do
  counts[i] = tonumber(ARGV[3 + 2 * i])
  spans[i] = tonumber(ARGV[4 + 2 * i])
  if spans[i] > longest then longest = spans[i] end
  -- What no window can reach any more is forgotten.
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', '(' .. fmt(now - spans[i]))
  local held = redis.call('GET', KEYS[n + i])
  if held then base = math.max(base, tonumber(held)) end
  local raw = redis.call('ZRANGE', KEYS[i], 0, -1, 'WITHSCORES')
  local list = {}
  for j = 2, #raw, 2 do
    local at = tonumber(raw[j])
    if not behind(raw[j - 1], at) then list[#list + 1] = at end
  end
  table.sort(list)
  times[i] = list
end
candidates[1] = base
local highest = base
for i = 1, n do
  for _, t in ipairs(times[i]) do
    local c = t + spans[i]
    if c > base then candidates[#candidates + 1] = c end
    if c > highest then highest = c end
  end
end
-- Past every window of every key a slot is always free.
candidates[#candidates + 1] = highest + longest + 0.000001
table.sort(candidates)

-- The first index whose time is > x (binary search).
local function above(list, x)
  local lo, hi = 1, #list + 1
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if list[mid] > x then hi = mid else lo = mid + 1 end
  end
  return lo
end

-- Whether one more send at t keeps every window of key i within its count: a window of
-- length L holding t and `count` others exists when `count` consecutive times and t span
-- less than L (a microsecond of slack for the rounding of stored scores).
local function fits(i, t)
  local list, c, L = times[i], counts[i], spans[i]
  local first = above(list, t - L)
  local last = above(list, t + L - 0.000001) - 1
  for j = first, last - c + 1 do
    local low = math.min(list[j], t)
    local high = math.max(list[j + c - 1], t)
    if high - low < L - 0.000001 then return false end
  end
  return true
end

local slot = candidates[#candidates]
for _, t in ipairs(candidates) do
  local ok = true
  for i = 1, n do
    if not fits(i, t) then ok = false break end
  end
  if ok then slot = t break end
end
if mode ~= 'ask' then
  for i = 1, n do
    redis.call('ZADD', KEYS[i], fmt(slot), member)
    redis.call('PEXPIRE', KEYS[i], math.ceil((slot - now + spans[i]) * 1000) + 1000)
  end
  redis.call('ZADD', pending, fmt(slot), member)
  if mode == 'reserve' then redis.call('ZADD', line, redis.call('INCR', counter), member) end
  local keep = math.ceil((slot - now + 2 * under_way) * 1000)
  for _, key in ipairs({pending, line}) do  -- never shortened: other slots may lie further
    if redis.call('PTTL', key) < keep then redis.call('PEXPIRE', key, keep) end
  end
end
return {fmt(slot), fmt(now)}
"""
)

# KEYS: window keys, then the pending and line sets. ARGV: now ("" = TIME), member. A send
# answered: its member moves to now (never earlier than its slot), where Telegram counted it
# (XX: a forgotten one stays so), and is no longer under way.
_SENT = (
    _NOW
    + """
for i = 1, #KEYS - 2 do
  local at = redis.call('ZSCORE', KEYS[i], ARGV[2])
  if at then
    redis.call('ZADD', KEYS[i], 'XX', string.format('%.6f', math.max(now, tonumber(at))), ARGV[2])
  end
end
redis.call('ZREM', KEYS[#KEYS - 1], ARGV[2])
redis.call('ZREM', KEYS[#KEYS], ARGV[2])
return 1
"""
)

# KEYS: the hold key. ARGV: now ("" = TIME), seconds. Only ever lengthens a hold.
_HOLD = (
    _NOW
    + """
local expiry = now + tonumber(ARGV[2])
local held = redis.call('GET', KEYS[1])
if held and tonumber(held) >= expiry then return 0 end
redis.call('SET', KEYS[1], string.format("%.6f", expiry), 'PX',
  math.ceil(tonumber(ARGV[2]) * 1000) + 1000)
return 1
"""
)


def pacing_prefix(token: str) -> str:
    """The keys of one bot's windows: its id (the token's number), never the token itself.

    The braces make Redis Cluster put every key of one bot in one slot, as a script needs.
    """
    return f"quizbot:pace:{{{token.split(':', 1)[0]}}}"


class RedisWindows:
    """`bot.pacing.WindowStore` in Redis (see the module doc)."""

    def __init__(self, redis: Redis, prefix: str, clock: Callable[[], float] | None = None) -> None:
        self.redis = redis
        self.prefix = prefix
        self.clock = clock
        self._reserve = redis.register_script(_RESERVE)
        self._hold = redis.register_script(_HOLD)
        self._sent = redis.register_script(_SENT)
        # Members name this process's slots in Redis; the fallback names its own otherwise.
        self._origin = f"{uuid.uuid4().hex[:12]}-"
        self._members = (f"{self._origin}{n}" for n in range(1 << 62))
        # Used while Redis is away: Redis' clock is the wall clock, so is this one.
        self.fallback = MemoryWindows(clock or time.time)
        self._warned = False

    def _ours(self, slot: Slot) -> bool:
        return slot.member.startswith(self._origin)

    def _now(self) -> str:
        return "" if self.clock is None else repr(self.clock())

    def _window_keys(self, limits: dict[str, Limit]) -> list[str]:
        return [f"{self.prefix}:w:{key}" for key in limits]

    def _under_way_keys(self) -> list[str]:
        return [f"{self.prefix}:pending", f"{self.prefix}:line"]

    async def _run_reserve(
        self, limits: dict[str, Limit], after: float, member: str, mode: str
    ) -> Slot:
        keys = self._window_keys(limits) + [f"{self.prefix}:h:{key}" for key in limits]
        keys += [*self._under_way_keys(), f"{self.prefix}:next"]
        arguments: list[str] = [self._now(), repr(after), member, mode]
        for limit in limits.values():
            arguments += [str(limit.count), repr(limit.seconds)]
        slot, now = await self._reserve(keys=keys, args=arguments)
        self._warned = False
        return Slot(float(slot), float(now), member)

    async def reserve(self, limits: dict[str, Limit], after: float) -> Slot:
        """See `bot.pacing.WindowStore.reserve`."""
        try:
            return await self._run_reserve(limits, after, next(self._members), "reserve")
        except (RedisError, OSError) as error:
            self._warn(error)
            return await self.fallback.reserve(limits, after)

    async def reslot(self, limits: dict[str, Limit], slot: Slot) -> Slot:
        """See `bot.pacing.WindowStore.reslot`."""
        if not self._ours(slot):  # taken from the fallback while Redis was away
            return await self.fallback.reslot(limits, slot)
        try:
            return await self._run_reserve(limits, slot.at, slot.member, "reslot")
        except (RedisError, OSError) as error:
            self._warn(error)
            return await self.fallback.reslot(limits, slot)

    async def earliest(self, limits: dict[str, Limit], after: float) -> Slot:
        """See `bot.pacing.WindowStore.earliest`."""
        try:
            return await self._run_reserve(limits, after, "", "ask")
        except (RedisError, OSError) as error:
            self._warn(error)
            return await self.fallback.earliest(limits, after)

    async def sent(self, limits: dict[str, Limit], slot: Slot) -> None:
        """See `bot.pacing.WindowStore.sent`."""
        if not self._ours(slot):
            await self.fallback.sent(limits, slot)
            return
        try:
            keys = self._window_keys(limits) + self._under_way_keys()
            await self._sent(keys=keys, args=[self._now(), slot.member])
        except (RedisError, OSError) as error:
            self._warn(error)

    async def hold(self, key: str, seconds: float) -> None:
        """See `bot.pacing.WindowStore.hold`."""
        try:
            await self._hold(keys=[f"{self.prefix}:h:{key}"], args=[self._now(), repr(seconds)])
        except (RedisError, OSError) as error:
            self._warn(error)
            await self.fallback.hold(key, seconds)

    def _warn(self, error: Exception) -> None:
        if not self._warned:
            log.warning("Redis unreachable (%s): pacing this process alone until it is back", error)
            self._warned = True
