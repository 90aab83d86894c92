--[[
  Create an activation record with server timestamps and a TTL.
  Input:
    KEYS[1] activation:{id}
    ARGV[1] ttl ms   ARGV[2..] field, value pairs (activation_id, agent_id, runner_id, task_type, work_id)
  Output:
    1
]]
--- @include "now"
--- @include "activation"

create_activation(KEYS[1], ARGV[1], now_ms(), { unpack(ARGV, 2) })
return 1
