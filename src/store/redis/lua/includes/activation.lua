--[[
  create_activation(key, ttl_ms, now, fields): (re)create an activation record (HASH activation:{id}) with
  started_at = heartbeat_at = now, iteration 0, the given field/value pairs (activation_id, agent_id, runner_id,
  task_type, work_id) and a TTL of ttl_ms; used by start-activation and by claim_next (a claim that starts its
  activation). Needs "now".
]]
local function create_activation(key, ttl_ms, now, fields)
  local at = ms_string(now)
  redis.call('DEL', key)
  redis.call('HSET', key, 'started_at', at, 'heartbeat_at', at, 'iteration', 0, unpack(fields))
  redis.call('PEXPIRE', key, ttl_ms)
end

-- The record a claim is asked to create with it (claim, ack-claim): {key, id, ttl}, or nil when `id` is ''.
local function activation_to_create(key, id, ttl_ms)
  if id == '' then return nil end
  return { key = key, id = id, ttl = ttl_ms }
end
