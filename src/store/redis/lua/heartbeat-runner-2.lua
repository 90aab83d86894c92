--[[
  Write a runner's heartbeat entry, stamped with the server clock, and index it (listing runners needs no SCAN).
  Input:
    KEYS[1] runner:heartbeat:{runner_id}   KEYS[2] runner:index
    ARGV[1] RunnerInfo JSON without heartbeat_at   ARGV[2] ttl ms   ARGV[3] runner id
  Output:
    1
]]
--- @include "now"

local now = now_ms()
local info = string.sub(ARGV[1], 1, -2) .. ',"heartbeat_at":' .. ms_string(now) .. '}'
redis.call('SET', KEYS[1], info, 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
return 1
