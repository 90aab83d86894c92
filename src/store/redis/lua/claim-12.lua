--[[
  Claim the next item of the first non-empty watched queue (in ARGV order), under a lease.
  Items whose agent already has an in-flight item (any task type) are skipped and stay in place; at most
  ARGV[4] items from the head of each queue are looked at.
  Input:
    KEYS[1..12] the queue layout of includes/queue.lua
    ARGV[1] runner id   ARGV[2] lease token   ARGV[3] lease ms   ARGV[4] scan limit
    ARGV[5..] watched priorities, highest first
  Output:
    {item JSON, lease deadline ms}, or nil when nothing is claimable
]]
--- @include "now"
--- @include "queue"

local function busy(agent)
  return redis.call('HEXISTS', K_CLAIMED, slot(agent, 'INBOX')) == 1
    or redis.call('HEXISTS', K_CLAIMED, slot(agent, 'DISCOVERY')) == 1
end

local now = now_ms()
for i = 5, #ARGV do
  local q = QUEUE[ARGV[i]]
  local items = redis.call('LRANGE', q, -tonumber(ARGV[4]), -1)
  for j = #items, 1, -1 do
    local json = items[j]
    local item = cjson.decode(json)
    if not busy(item.agent_id) then
      if j == #items then redis.call('RPOP', q) else redis.call('LREM', q, -1, json) end
      if redis.call('LLEN', q) == 0 then redis.call('DEL', SIGNAL[ARGV[i]]) end
      local key = slot(item.agent_id, item.task_type)
      redis.call('HDEL', K_QUEUED, key)
      local deadline = now + tonumber(ARGV[3])
      redis.call('HSET', K_INFLIGHT, item.id, '{"item":' .. json .. ',"runner_id":' .. cjson.encode(ARGV[1])
        .. ',"token":' .. cjson.encode(ARGV[2]) .. ',"claimed_at":' .. ms_string(now) .. '}')
      redis.call('HSET', K_CLAIMED, key, item.id)
      redis.call('ZADD', K_LEASES, deadline, item.id)
      return { json, deadline }
    end
  end
end
return false
