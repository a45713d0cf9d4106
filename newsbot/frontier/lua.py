"""The frontier's Redis scripts: each step one script, so it is atomic across workers.

Why scripts: a pop that moves a request to the pending set must not be split from the
lease it takes (scrapy-redis pops with a plain RPOP: a `kill -9` between the pop and
the fetch loses the page), and a reaper must not requeue an entry its owner is acking
at the same moment. Redis runs a script with everything else blocked. Time comes from
the server (`TIME`), never from a worker's clock, so leases mean the same on every
machine. The layout follows browsertrix-crawler's `src/util/state.ts`:

    q:<shard>   list of entry ids (LPUSH to add, RPOP to take: first in, first out)
    data        hash id -> serialised request
    pending     zset id -> lease expiry (ms, server time)
    owner       hash id -> worker id
    held        set of pending ids whose page waits for its site's template
    retries     hash id -> times its lease expired (or its owner restarted)
    failed      list of serialised requests given up after NEWSBOT_FRONTIER_RETRIES
    workers     zset worker -> heartbeat expiry (ms); live workers are those not expired
    shard:<n>   string: the worker holding shard n (SET NX PX, renewed)

All keys share one prefix with a hash tag (one cluster slot). An entry id is
`<shard>:<n>`, so the reaper knows which queue it goes back to.
"""

from __future__ import annotations

# Shared by the scripts that need them; `p` is the key prefix, ARGV[1] in every script.
PRELUDE = """
local p = ARGV[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function shard_of(id) return string.match(id, '^(%d+):') end
local function forget(id)
  redis.call('ZREM', p .. 'pending', id)
  redis.call('HDEL', p .. 'owner', id)
  redis.call('SREM', p .. 'held', id)
end
local function requeue(id, max_retries)
  forget(id)
  local tries = redis.call('HINCRBY', p .. 'retries', id, 1)
  if tries > max_retries then
    redis.call('RPUSH', p .. 'failed', redis.call('HGET', p .. 'data', id) or id)
    redis.call('HDEL', p .. 'data', id)
    redis.call('HDEL', p .. 'retries', id)
    return 0
  end
  redis.call('RPUSH', p .. 'q:' .. shard_of(id), id)  -- taken next (RPOP)
  return 1
end
"""

# ARGV: prefix, shard, payload -> the new entry id
PUSH = """
local id = ARGV[2] .. ':' .. redis.call('INCR', p .. 'seq')
redis.call('HSET', p .. 'data', id, ARGV[3])
redis.call('LPUSH', p .. 'q:' .. ARGV[2], id)
return id
"""

# ARGV: prefix, owner, lease ms, shard... -> {id, payload, retries} or nil
POP = """
local ttl = tonumber(ARGV[3])
for i = 4, #ARGV do
  local id = redis.call('RPOP', p .. 'q:' .. ARGV[i])
  if id then
    redis.call('ZADD', p .. 'pending', now + ttl, id)
    redis.call('HSET', p .. 'owner', id, ARGV[2])
    return {id, redis.call('HGET', p .. 'data', id) or '',
            tonumber(redis.call('HGET', p .. 'retries', id) or '0')}
  end
end
return false
"""

# ARGV: prefix, worker, id... -> entries acknowledged. An entry reaped meanwhile and back in
# its queue is taken out of it: its work is done, whoever finished it.
ACK = """
local n = 0
for i = 3, #ARGV do
  local id = ARGV[i]
  if redis.call('ZREM', p .. 'pending', id) == 1 then
    n = n + 1
  elseif redis.call('HEXISTS', p .. 'data', id) == 1 then
    if redis.call('LREM', p .. 'q:' .. shard_of(id), 1, id) == 1 then n = n + 1 end
  end
  redis.call('HDEL', p .. 'owner', id)
  redis.call('SREM', p .. 'held', id)
  redis.call('HDEL', p .. 'data', id)
  redis.call('HDEL', p .. 'retries', id)
end
if n > 0 then
  redis.call('INCRBY', p .. 'done', n)
  redis.call('HINCRBY', p .. 'acked', ARGV[2], n)
end
return n
"""

# ARGV: prefix, worker, lease ms, held flag (0/1), id... -> ids no longer ours (lost leases)
RENEW = """
local lost = {}
for i = 5, #ARGV do
  local id = ARGV[i]
  if redis.call('HGET', p .. 'owner', id) == ARGV[2] then
    redis.call('ZADD', p .. 'pending', 'XX', now + tonumber(ARGV[3]), id)
    if ARGV[4] == '1' then redis.call('SADD', p .. 'held', id) end
  else
    table.insert(lost, id)
  end
end
return lost
"""

# ARGV: prefix, max retries, limit -> {requeued, failed}: entries whose lease expired
REAP = """
local ids = redis.call('ZRANGEBYSCORE', p .. 'pending', '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
local back, failed = 0, 0
for _, id in ipairs(ids) do
  if requeue(id, tonumber(ARGV[2])) == 1 then back = back + 1 else failed = failed + 1 end
end
return {back, failed}
"""

# ARGV: prefix, worker, max retries -> entries freed: a restarted worker's leases from before
FREE_OWN = """
local freed = 0
local owners = redis.call('HGETALL', p .. 'owner')
for i = 1, #owners, 2 do
  if owners[i + 1] == ARGV[2] then requeue(owners[i], tonumber(ARGV[3])); freed = freed + 1 end
end
return freed
"""

# ARGV: prefix, shards -> {queued, pending, held, failed, done, live workers, per-shard lengths}
STATUS = """
local queued, lengths = 0, {}
for s = 0, tonumber(ARGV[2]) - 1 do
  local n = redis.call('LLEN', p .. 'q:' .. s)
  queued = queued + n
  lengths[s + 1] = n
end
return {queued, redis.call('ZCARD', p .. 'pending'), redis.call('SCARD', p .. 'held'),
        redis.call('LLEN', p .. 'failed'), tonumber(redis.call('GET', p .. 'done') or '0'),
        redis.call('ZCOUNT', p .. 'workers', now, '+inf'), lengths}
"""

# ARGV: prefix, worker, lease ms, shard count, busy (csv of shards with requests on the
# wire), then the shards assigned to this worker (at most its fair share, in its order of
# preference; `FrontierStore.assignment`). Heartbeat; renew own shards; release those no
# longer assigned once none of their requests is on the wire; take free assigned shards,
# queued ones first. -> {owned shards, live workers}
SHARDS = """
local me, ttl = ARGV[2], tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', p .. 'workers', '-inf', now)
redis.call('ZADD', p .. 'workers', now + ttl, me)
local assigned, busy, owned = {}, {}, {}
for s in string.gmatch(ARGV[5], '%d+') do busy[s] = true end
for i = 6, #ARGV do assigned[ARGV[i]] = true end
for n = 0, tonumber(ARGV[4]) - 1 do
  local s, key = tostring(n), p .. 'shard:' .. n
  if redis.call('GET', key) == me then
    if assigned[s] or busy[s] then
      redis.call('PEXPIRE', key, ttl)
      owned[s] = true
    else
      redis.call('DEL', key)
    end
  end
end
for pass = 1, 2 do
  for i = 6, #ARGV do
    local s = ARGV[i]
    if not owned[s] and (pass == 2 or redis.call('LLEN', p .. 'q:' .. s) > 0) then
      if redis.call('SET', p .. 'shard:' .. s, me, 'NX', 'PX', ttl) then owned[s] = true end
    end
  end
end
local out = {}
for n = 0, tonumber(ARGV[4]) - 1 do if owned[tostring(n)] then table.insert(out, n) end end
return {out, redis.call('ZCARD', p .. 'workers')}
"""

# ARGV: prefix, worker, record id... -> ids another worker wrote before
WRITTEN = """
local twice = {}
for i = 3, #ARGV do
  local first = redis.call('HGET', p .. 'written', ARGV[i])
  if not first then
    redis.call('HSET', p .. 'written', ARGV[i], ARGV[2])
  elseif first ~= ARGV[2] then
    redis.call('SADD', p .. 'twice', ARGV[i])
    table.insert(twice, ARGV[i])
  end
end
return twice
"""

# ARGV: prefix, worker, figures json, heartbeat ttl (ms) -> {workers still live, ms since the
# freshest of them beat (-1: none), 1 if this worker writes the crawl summary, figures of
# every worker (flat), ids written twice}. Idempotent: a worker waiting for a dead one's
# heartbeat to expire calls it again; the summary's writer is taken once (SET NX).
FINISH = """
redis.call('HSET', p .. 'summaries', ARGV[2], ARGV[3])
redis.call('ZREM', p .. 'workers', ARGV[2])
redis.call('ZREMRANGEBYSCORE', p .. 'workers', '-inf', now)
local live = redis.call('ZCARD', p .. 'workers')
local freshest = -1
if live > 0 then
  local top = redis.call('ZRANGE', p .. 'workers', -1, -1, 'WITHSCORES')
  freshest = now - (tonumber(top[2]) - tonumber(ARGV[4]))
end
local writer = 0
if live == 0 and redis.call('SET', p .. 'summary_by', ARGV[2], 'NX') then writer = 1 end
return {live, freshest, writer, redis.call('HGETALL', p .. 'summaries'),
        redis.call('SMEMBERS', p .. 'twice')}
"""
