--[[
  Create an activation record with server timestamps and a TTL.
  Input:
    KEYS[1] activation:{id}
    ARGV[1] ttl ms   ARGV[2..] field, value pairs (activation_id, agent_id, runner_id, task_type, work_id)
  Output:
    1
]]
--- @include "now"

local now = ms_string(now_ms())
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'started_at', now, 'heartbeat_at', now, 'iteration', 0, unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
