"""The dedup index in Redis: LSH band tables and packed signatures, one Lua script a claim.

The Redis backend's `DedupClaims`. Redis runs a script with every other client waiting, so
one script that matches *and* adds is what makes "first committed wins" hold across
machines: two workers claiming copies of one story at the same instant get one canonical
between them (tested with a barrier, 2 to 8 processes; deciding on a read and writing
later gives two canonicals for nearly every story, ../shared/SCALE-OUT.md).

Layout (all under the archive's hash tag, so a Redis Cluster keeps it in one slot):

- ``d:n``: INCR gives each claimed article an integer id, which is also its global
  **commit number** (kept in the article's WARC metadata record, not its JSONL line);
- ``d:ids`` / ``d:names``: article id <-> integer id;
- ``d:rec``: one string of fixed-size records at ``(id - 1) * 516``: shingle count
  (uint32) and the 128 uint32 MinHash values, read with ``GETRANGE``;
- ``d:dec``: the decision of each copy (canonical article id, containment), so a second
  claim returns it unchanged (idempotent per article id) and crash repair can restore it;
- ``d:b:<band>:<bucket>``: per band, small hashes (listpack-encoded, about 60 fields each
  at a million articles) from the band's key to the packed uint32 ids holding it. 14 bits
  of the 32-bit band key pick the bucket, the rest is the field.

Measured (BENCHMARKS.md): about 1.4 KB of Redis per article, one round trip a claim.
Why not datasketch's Redis storage: ~25 KB per article, ~195 commands a match + add, and
not atomic. The decisions are the SQLite index's (same bands, same containment rule, the
highest score and on a tie the earliest copy).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from newsbot.dedup import NUM_PERM, SIGNATURE_VERSION
from newsbot.redisconn import CHECK_RUN_ID
from newsbot.state.bands import band_hashes
from newsbot.state.protocols import Match

if TYPE_CHECKING:
    from collections.abc import Iterable

    from newsbot.dedup import Signature
    from newsbot.state.redis_shared import RedisState

BUCKET_BITS = 14
RECORD = 4 + 4 * NUM_PERM

# KEYS: n, ids, names, rec, dec, then one key per band.
# ARGV: run_id, article, signature, size, too_short, threshold, min_jaccard,
#       max_candidates, forced ('' or '1'), forced canonical, forced score, then band fields.
_CLAIM = (
    CHECK_RUN_ID
    + """
local article = ARGV[2]
local known = redis.call('HGET', KEYS[2], article)
if known then
  local dec = redis.call('HGET', KEYS[5], article)
  return {tonumber(known), dec or '', 1}
end
local sig, size, too_short = ARGV[3], tonumber(ARGV[4]), ARGV[5] == '1'
local nbands = #KEYS - 5
local root, score = '', ''
local forced = ARGV[9] == '1'
if forced then root, score = ARGV[10], ARGV[11] end
local packs = {}  -- each band's ids as read: the add appends to them without reading again
if not too_short then
  local threshold, min_j, cap = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
  local seen, cands = {}, {}
  for b = 1, nbands do
    local packed = redis.call('HGET', KEYS[5 + b], ARGV[11 + b]) or ''
    packs[b] = packed
    if not forced then
      for i = 1, #packed, 4 do
        local id = struct.unpack('<I4', packed, i)
        if not seen[id] and #cands < cap then seen[id] = true; cands[#cands + 1] = id end
      end
    end
  end
  if #cands > 0 then
    local q = {}
    for i = 1, %(perm)d do q[i] = string.sub(sig, 4 * i - 3, 4 * i) end
    local best_id, best_score = nil, -1
    for _, id in ipairs(cands) do
      local off = (id - 1) * %(record)d
      local rec = redis.call('GETRANGE', KEYS[4], off, off + %(record)d - 1)
      local csize = struct.unpack('<I4', rec, 1)
      local eq = 0
      for i = 1, %(perm)d do
        if string.sub(rec, 4 * i + 1, 4 * i + 4) == q[i] then eq = eq + 1 end
      end
      local j = eq / %(perm)d
      local smaller = math.min(size, csize)
      local s = 0
      if smaller > 0 then s = math.min(1.0, j * (size + csize) / ((1.0 + j) * smaller)) end
      if j >= min_j and s >= threshold and
         (s > best_score or (s == best_score and id < best_id)) then
        best_id, best_score = id, s
      end
    end
    if best_id then
      local name = redis.call('HGET', KEYS[3], best_id)
      local dec = redis.call('HGET', KEYS[5], name)
      if dec then root = string.sub(dec, 1, string.find(dec, '\\t', 1, true) - 1)
      else root = name end
      score = string.format('%%.17g', best_score)
    end
  end
end
local id = redis.call('INCR', KEYS[1])
redis.call('HSET', KEYS[2], article, id)
redis.call('HSET', KEYS[3], id, article)
redis.call('SETRANGE', KEYS[4], (id - 1) * %(record)d, struct.pack('<I4', size) .. sig)
if root ~= '' then redis.call('HSET', KEYS[5], article, root .. '\\t' .. score) end
if not too_short then
  local me = struct.pack('<I4', id)
  for b = 1, nbands do
    redis.call('HSET', KEYS[5 + b], ARGV[11 + b], packs[b] .. me)
  end
end
if root ~= '' then return {id, root .. '\\t' .. score, 0} end
return {id, '', 0}
"""
    % {"perm": NUM_PERM, "record": RECORD}
)


# KEYS: n, ids, names, rec, then one band key per band field. ARGV: run_id, count, then
# count (article, packed record) pairs, then "<n>:<field>" (n: the article's place, 0-based).
_BULK = (
    CHECK_RUN_ID
    + """
local count = tonumber(ARGV[2])
local first = redis.call('INCRBY', KEYS[1], count) - count
for n = 0, count - 1 do
  local id = first + n + 1
  redis.call('HSET', KEYS[2], ARGV[3 + 2 * n], id)
  redis.call('HSET', KEYS[3], id, ARGV[3 + 2 * n])
  redis.call('SETRANGE', KEYS[4], (id - 1) * %(record)d, ARGV[4 + 2 * n])
end
local base = 2 + 2 * count
for i = 5, #KEYS do
  local entry = ARGV[base + i - 4]
  local sep = string.find(entry, ':', 1, true)
  local id = first + tonumber(string.sub(entry, 1, sep - 1)) + 1
  local field = string.sub(entry, sep + 1)
  redis.call('HSET', KEYS[i], field, (redis.call('HGET', KEYS[i], field) or '') .. struct.pack('<I4', id))
end
return count
"""
    % {"record": RECORD}
)


def _bands(sig: Signature, bands: int, rows: int) -> tuple[list[int], list[int]]:
    """(bucket of each band, field within it) from the 32-bit band keys."""
    buckets, fields = [], []
    for _, h in band_hashes(sig, bands, rows):
        key = h & 0xFFFFFFFF
        buckets.append(key & ((1 << BUCKET_BITS) - 1))
        fields.append(key >> BUCKET_BITS)
    return buckets, fields


def _decision(stored: bytes | str) -> Match | None:
    text = stored.decode() if isinstance(stored, bytes) else stored
    if not text:
        return None
    root, score = text.split("\t")
    return Match(root, round(float(score), 4))


class RedisDedupIndex:
    """``DedupClaims`` in Redis (see the module docstring); made by ``RedisBackend``."""

    def __init__(
        self,
        state: RedisState,
        *,
        threshold: float = 0.6,
        bands: int = 64,
        rows: int = 2,
        min_jaccard: float = 0.1,
        max_candidates: int = 500,
    ) -> None:
        self.state = state
        self.threshold, self.bands, self.rows = threshold, bands, rows
        self.min_jaccard, self.max_candidates = min_jaccard, max_candidates
        k = state.key
        self._keys = [k("d:n"), k("d:ids"), k("d:names"), k("d:rec"), k("d:dec")]
        self._script = state.conn.script(_CLAIM)
        self._bulk = state.conn.script(_BULK)
        self._commits: dict[str, int] = {}
        self._band_prefixes = [k(f"d:b:{band}:") for band in range(bands)]
        self._check_meta()

    def _check_meta(self) -> None:
        expected = {
            "signature": SIGNATURE_VERSION,
            "bands": str(self.bands),
            "rows": str(self.rows),
            "bucket_bits": str(BUCKET_BITS),
        }
        client, meta = self.state.conn.client, self.state.key("d:meta")
        for name, value in expected.items():
            self.state.conn.call(partial(client.hsetnx, meta, name, value))
        stored = {
            k.decode(): v.decode()
            for k, v in self.state.conn.call(lambda: client.hgetall(meta)).items()
        }
        wrong = {k: stored.get(k) for k, v in expected.items() if stored.get(k) != v}
        if wrong:  # re-signing in Redis is not implemented: refuse, as SQLite does without texts
            raise ValueError(
                f"Redis dedup index {meta} built with other parameters {wrong};"
                f" expected {expected} (use a new NEWSBOT_REDIS_PREFIX)"
            )

    def _band_keys(self, buckets: Iterable[int]) -> list[str]:
        return [prefix + str(bucket) for prefix, bucket in zip(self._band_prefixes, buckets)]

    def _claim(
        self, article_id: str, sig: Signature, forced: Match | None = None, force: bool = False
    ) -> Match | None:
        buckets, fields = _bands(sig, self.bands, self.rows)
        args: list[object] = [
            article_id,
            sig.hashvalues,
            sig.size,
            "1" if sig.too_short else "",
            repr(self.threshold),
            repr(self.min_jaccard),
            self.max_candidates,
            "1" if force else "",
            forced.canonical_id if forced else "",
            repr(forced.score) if forced else "",
            *fields,
        ]
        commit, stored, _ = self.state.run(
            self._script, self._keys + self._band_keys(buckets), args
        )
        if len(self._commits) > 10_000:  # read right after the claim; never let it grow
            self._commits.clear()
        self._commits[article_id] = int(commit)
        return _decision(stored)

    def claim(self, article_id: str, sig: Signature) -> Match | None:
        """Match and add in one script; a second claim returns the stored decision."""
        return self._claim(article_id, sig)

    def restore(self, article_id: str, sig: Signature, decision: Match | None) -> None:
        """Add an article with the decision its JSONL line was written with (re-applying
        lines a Redis restart lost); a no-op when the article is known."""
        self._claim(article_id, sig, decision, force=True)

    def commit_number(self, article_id: str) -> int | None:
        """The global commit number of a claim this process made (None: not claimed here)."""
        if article_id in self._commits:
            return self._commits[article_id]
        found = self.state.conn.call(
            lambda: self.state.conn.client.hget(self.state.key("d:ids"), article_id)
        )
        return int(found) if found is not None else None

    def __contains__(self, article_id: object) -> bool:
        return bool(
            self.state.conn.call(
                lambda: self.state.conn.client.hexists(self.state.key("d:ids"), str(article_id))
            )
        )

    def __len__(self) -> int:
        return int(
            self.state.conn.call(lambda: self.state.conn.client.hlen(self.state.key("d:ids")))
        )

    def bulk_load(self, items: Iterable[tuple[str, Signature]], batch: int = 500) -> int:
        """Load many signatures, each its own canonical, without matching (benchmarks,
        rebuilds from an archive known to hold no copies): one script per ``batch``
        articles instead of one per article. Returns how many were loaded."""
        done, chunk = 0, []
        for item in items:
            chunk.append(item)
            if len(chunk) >= batch:
                done += self._load(chunk)
                chunk = []
        return done + (self._load(chunk) if chunk else 0)

    def _load(self, chunk: list[tuple[str, Signature]]) -> int:
        keys: list[str] = list(self._keys[:4])
        args: list[object] = [len(chunk)]
        for article_id, sig in chunk:
            args += [article_id, sig.size.to_bytes(4, "little") + sig.hashvalues]
        for n, (_, sig) in enumerate(chunk):
            if not sig.too_short:
                buckets, fields = _bands(sig, self.bands, self.rows)
                keys += self._band_keys(buckets)
                args += [f"{n}:{f}" for f in fields]
        return int(self.state.run(self._bulk, keys, args))

    def close(self) -> None:
        """The connection is the backend's."""
