"""The shared frontier in Redis: article tasks, leases, per-site politeness, results.

Keys, per site (the archive's site name, ``joongdo`` or a paper's host)::

    newscrawl:sites            hash   site -> {"delay_ms", "concurrency"}   (what workers serve)
    newscrawl:SITE:tasks       hash   article key -> task JSON     (queued or leased, not yet stored)
    newscrawl:SITE:queue       list   article keys waiting for a worker
    newscrawl:SITE:leases      zset   article key -> lease expiry (ms, Redis clock)
    newscrawl:SITE:holders     hash   article key -> the worker holding its lease
    newscrawl:SITE:slot        string when the next request to the site may start (ms)
    newscrawl:SITE:results     stream key, item (pickled): what workers hand the coordinator

A task lives in ``tasks`` from the moment the coordinator plans it until the coordinator has
stored its result, so ``tasks`` is the set of work not yet in the archive. A worker takes a
task with a lease and renews it while the page is in flight; a lease that expires (the worker
was killed, or never came back) puts the task back in the queue. Two results for one task
(a slow worker whose lease expired) are told apart by the coordinator: the second finds the
task gone from ``tasks`` and is dropped. Why not scrapy-redis: see docs/cluster.md.

Every multi-key step is one Lua script, so a crash between two commands cannot half-do it;
the scripts read Redis's own clock, so machines need not agree on the time.
"""

from __future__ import annotations

import json
import pickle
from dataclasses import asdict, dataclass
from typing import Any

import redis

PREFIX = "newscrawl"
SITES = f"{PREFIX}:sites"

# Returns {taken site, task JSON, ...} for at most ARGV[3] tasks: one per site whose leases are
# under its concurrency and whose slot frees before the next poll (ARGV[6] ms), so that a worker
# does not hoard pages that would only wait for their turn; expired leases go back in their
# queue first. One per site per poll is enough: a site's delay is rarely below the poll interval.
_LEASE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease_ms, holder, wanted = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3])
local sites = redis.call('HGETALL', KEYS[1])
local out = {}
local n = #sites / 2
if n == 0 then return out end
local first = tonumber(ARGV[4]) % n
for i = 0, n - 1 do
  if #out / 2 >= wanted then break end
  local j = ((first + i) % n) * 2 + 1
  local site, conf = sites[j], cjson.decode(sites[j + 1])
  local p = ARGV[5] .. site
  local tasks, queue, leases, holders = p .. ':tasks', p .. ':queue', p .. ':leases', p .. ':holders'
  for _, key in ipairs(redis.call('ZRANGEBYSCORE', leases, '-inf', now)) do
    redis.call('ZREM', leases, key)
    redis.call('HDEL', holders, key)
    if redis.call('HEXISTS', tasks, key) == 1 then redis.call('RPUSH', queue, key) end
  end
  local free = tonumber(redis.call('GET', p .. ':slot') or '0')
  if free <= now + tonumber(ARGV[6]) and redis.call('ZCARD', leases) < conf.concurrency then
    local key = redis.call('LPOP', queue)
    while key and redis.call('HEXISTS', tasks, key) == 0 do key = redis.call('LPOP', queue) end
    if key then
      redis.call('ZADD', leases, now + lease_ms, key)
      redis.call('HSET', holders, key, holder)
      table.insert(out, site)
      table.insert(out, redis.call('HGET', tasks, key))
    end
  end
end
return out
"""

# KEYS: tasks, queue; ARGV: key, task JSON -> 1 when queued, 0 when already planned.
_PUSH = """
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[1])
return 1
"""

# KEYS: sites; ARGV: site, prefix -> 0 when a request to the site may start now (and the next
# one DELAY later), else how many ms to wait.
_SLOT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local conf = redis.call('HGET', KEYS[1], ARGV[1])
if not conf then return 0 end
local delay = cjson.decode(conf).delay_ms
local slot = ARGV[2] .. ARGV[1] .. ':slot'
local free = tonumber(redis.call('GET', slot) or '0')
if free > now then return free - now end
redis.call('SET', slot, now + delay, 'PX', delay + 1000)
return 0
"""

# KEYS: tasks, queue, leases, holders; ARGV: keys -> gives the leases up, the tasks back to the queue's front.
_RELEASE = """
for i = 1, #ARGV do
  if redis.call('ZREM', KEYS[3], ARGV[i]) == 1 and redis.call('HEXISTS', KEYS[1], ARGV[i]) == 1 then
    redis.call('LPUSH', KEYS[2], ARGV[i])
  end
  redis.call('HDEL', KEYS[4], ARGV[i])
end
return #ARGV
"""

# KEYS: leases; ARGV: lease_ms, keys... -> renews the leases still held.
_RENEW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[i]) end
return #ARGV - 1
"""


@dataclass(frozen=True)
class Task:
    """One article page to fetch: what a worker needs to fetch it and name its result."""

    site: str
    key: str
    url: str
    profile: str
    reason: str = "new"
    headers: dict[str, str] | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> Task:
        return cls(**json.loads(text))


@dataclass
class Result:
    """What a worker hands back for a task."""

    #: an Article, a NotModified, a FetchFailure, or the page or article the pipelines dropped
    item: Any
    #: why the pipelines dropped ``item`` (not an article), None when they did not
    dropped: str | None = None
    #: the fields the dropped article lacked, when that was why (the run's drift alarm counts them)
    missing: list[str] | None = None
    #: bytes downloaded for it; 0 when no page arrived
    response_bytes: int = 0


def load_result(payload: bytes) -> Result:
    """A result as a worker handed it back (pickled: the Redis must be trusted, see docs/cluster.md)."""
    result = pickle.loads(payload)
    if not isinstance(result, Result):
        raise TypeError(f"not a worker's result: {type(result).__name__}")
    return result


def connect(url: str) -> redis.Redis:
    """A client for the cluster's Redis (``redis://HOST:PORT/N``); fails early when it is not there."""
    client = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5, health_check_interval=10)
    client.ping()
    return client


def _key(site: str, what: str) -> str:
    return f"{PREFIX}:{site}:{what}"


def _by_site(tasks: list[Task]) -> dict[str, list[str]]:
    by_site: dict[str, list[str]] = {}
    for task in tasks:
        by_site.setdefault(task.site, []).append(task.key)
    return by_site


class SiteFrontier:
    """The coordinator's side of one site's frontier."""

    def __init__(self, client: redis.Redis, site: str):
        self.client = client
        self.site = site
        self._push = client.register_script(_PUSH)

    def register(self, delay: float, concurrency: int) -> None:
        """Announce the site to the workers, with its politeness (shared by all of them)."""
        conf = {"delay_ms": int(delay * 1000), "concurrency": max(1, concurrency)}
        self.client.hset(SITES, self.site, json.dumps(conf))

    def push(self, task: Task) -> bool:
        """Queue ``task`` unless its article is already queued or leased; True when queued."""
        return bool(self._push(keys=[_key(self.site, "tasks"), _key(self.site, "queue")],
                               args=[task.key, task.to_json()]))

    def outstanding(self) -> set[str]:
        """The article keys planned and not yet stored (queued or leased)."""
        return {key.decode() for key in self.client.hkeys(_key(self.site, "tasks"))}

    def results(self, count: int = 50) -> list[tuple[bytes, str, bytes]]:
        """Up to ``count`` results waiting, oldest first: ``(entry id, article key, pickled result)``
        (read each with :func:`load_result`)."""
        entries = self.client.xrange(_key(self.site, "results"), count=count)
        return [(entry_id, fields[b"key"].decode(), fields[b"item"]) for entry_id, fields in entries]

    def is_outstanding(self, key: str) -> bool:
        return bool(self.client.hexists(_key(self.site, "tasks"), key))

    def done(self, entry_id: bytes, key: str) -> None:
        """The result is in the archive (or was a duplicate): the task is finished."""
        with self.client.pipeline() as pipe:
            pipe.hdel(_key(self.site, "tasks"), key)
            pipe.xdel(_key(self.site, "results"), entry_id)
            pipe.execute()


class WorkerFrontier:
    """A worker's side of the frontier: lease tasks of any site, renew, hand results back."""

    def __init__(self, client: redis.Redis, holder: str, lease_seconds: float, poll_seconds: float = 0.1):
        self.client = client
        self.holder = holder
        self.lease_ms = int(lease_seconds * 1000)
        self.poll_ms = int(poll_seconds * 1000)
        self._lease = client.register_script(_LEASE)
        self._renew = client.register_script(_RENEW)
        self._slot = client.register_script(_SLOT)
        self._release = client.register_script(_RELEASE)
        self._turn = 0

    def lease(self, wanted: int) -> list[Task]:
        """At most ``wanted`` tasks (at most one per site per call), each leased to this worker."""
        self._turn += 1  # start at another site each time, so that no site waits behind the others
        out = self._lease(keys=[SITES],
                          args=[self.lease_ms, self.holder, wanted, self._turn, f"{PREFIX}:", self.poll_ms])
        return [Task.from_json(out[i + 1]) for i in range(0, len(out), 2)]

    def wait_for_slot(self, site: str) -> float:
        """0 when a request to ``site`` may go now (and takes the slot), else the seconds to wait."""
        return int(self._slot(keys=[SITES], args=[site, f"{PREFIX}:"])) / 1000

    def renew(self, tasks: list[Task]) -> None:
        """Keep the leases of the pages still in flight."""
        for site, keys in _by_site(tasks).items():
            self._renew(keys=[_key(site, "leases")], args=[self.lease_ms, *keys])

    def release(self, tasks: list[Task]) -> None:
        """Give back the tasks this worker will not finish (it is stopping): other workers take
        them at once instead of when their leases run out."""
        for site, keys in _by_site(tasks).items():
            self._release(keys=[_key(site, what) for what in ("tasks", "queue", "leases", "holders")], args=keys)

    def hand_back(self, task: Task, result: Any) -> None:
        """Give the coordinator the result of ``task`` and release its lease (one transaction)."""
        with self.client.pipeline() as pipe:
            pipe.xadd(_key(task.site, "results"), {"key": task.key, "item": pickle.dumps(result, protocol=5)})
            pipe.zrem(_key(task.site, "leases"), task.key)
            pipe.hdel(_key(task.site, "holders"), task.key)
            pipe.execute()
