--[[
  Heartbeat an activation record (and optionally set its iteration) without ever recreating it: a record an
  operator deleted (force stop) stays deleted.
  Input:
    KEYS[1] activation:{id}
    ARGV[1] ttl ms, or '' to keep the TTL   ARGV[2] iteration, or '' to leave it
  Output:
    1 touched; 0 the record is gone
]]
--- @include "now"

if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'heartbeat_at', ms_string(now_ms()))
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'iteration', ARGV[2]) end
if ARGV[1] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return 1
