--[[
  Re-register a claim the runner still holds after the store lost it (Redis restarted without persistence, or
  flushed): the in-flight record, the agent slot and the lease, unless someone else holds the slot now.
  Input:
    KEYS[1] work:inflight   KEYS[2] work:claimed   KEYS[3] work:leases
    ARGV[1] work id   ARGV[2] agent slot (agent_id|task_type)   ARGV[3] item JSON   ARGV[4] runner id
    ARGV[5] lease token   ARGV[6] lease ms
  Output:
    the new lease deadline (epoch ms); 0 if the record still exists; -1 if another item holds the agent slot
]]
--- @include "now"

if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
local holder = redis.call('HGET', KEYS[2], ARGV[2])
if holder and holder ~= ARGV[1] then return -1 end
local now = now_ms()
redis.call('HSET', KEYS[1], ARGV[1], '{"item":' .. ARGV[3] .. ',"runner_id":' .. cjson.encode(ARGV[4])
  .. ',"token":' .. cjson.encode(ARGV[5]) .. ',"claimed_at":' .. ms_string(now) .. '}')
redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
local deadline = now + tonumber(ARGV[6])
redis.call('ZADD', KEYS[3], deadline, ARGV[1])
return deadline
