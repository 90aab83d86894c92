--[[
  Write a runner's heartbeat entry, stamped with the server clock.
  Input:
    KEYS[1] runner:heartbeat:{runner_id}
    ARGV[1] RunnerInfo JSON without heartbeat_at   ARGV[2] ttl ms
  Output:
    1
]]
--- @include "now"

local info = string.sub(ARGV[1], 1, -2) .. ',"heartbeat_at":' .. ms_string(now_ms()) .. '}'
redis.call('SET', KEYS[1], info, 'PX', ARGV[2])
return 1
