--[[
  Shared layout and helpers of the queue scripts (enqueue, claim, ack, reap, requeue-dead). They all take the
  same first twelve keys:
    KEYS[1] work:queued    KEYS[2] work:inflight  KEYS[3] work:claimed  KEYS[4] work:leases
    KEYS[5] work:dead      KEYS[6] work:backoff
    KEYS[7..9]   work:queue:high, work:queue:normal, work:queue:low
    KEYS[10..12] work:signal:high, work:signal:normal, work:signal:low
  Queues: LPUSH at the tail, the head (next to claim) is the right end.
]]
local K_QUEUED, K_INFLIGHT, K_CLAIMED, K_LEASES, K_DEAD, K_BACKOFF = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local QUEUE = { high = KEYS[7], normal = KEYS[8], low = KEYS[9] }
local SIGNAL = { high = KEYS[10], normal = KEYS[11], low = KEYS[12] }
local RANK = { high = 1, normal = 2, low = 3 }
local SIGNAL_CAP = 256

local function slot(agent, task)
  return agent .. '|' .. task
end

-- Wake one claimer blocked on this queue (tokens are capped: a woken claimer keeps claiming until empty).
local function signal(priority)
  redis.call('LPUSH', SIGNAL[priority], '1')
  redis.call('LTRIM', SIGNAL[priority], 0, SIGNAL_CAP - 1)
end

-- Forget an in-flight item (the record, the agent slot, the lease).
local function release(id, item)
  redis.call('HDEL', K_INFLIGHT, id)
  redis.call('HDEL', K_CLAIMED, slot(item.agent_id, item.task_type))
  redis.call('ZREM', K_LEASES, id)
end

-- Put an item back at the head of its queue (next to be claimed).
local function requeue_head(item)
  local json = cjson.encode(item)
  redis.call('RPUSH', QUEUE[item.priority], json)
  redis.call('HSET', K_QUEUED, slot(item.agent_id, item.task_type), json)
  signal(item.priority)
end

-- The agent's other queued item may have been skipped while this one was in flight: wake its queue.
local function wake_agent(agent)
  for _, task in ipairs({ 'INBOX', 'DISCOVERY' }) do
    local q = redis.call('HGET', K_QUEUED, slot(agent, task))
    if q then
      local ok, item = pcall(cjson.decode, q)
      if ok and RANK[item.priority] then signal(item.priority) end
    end
  end
end
