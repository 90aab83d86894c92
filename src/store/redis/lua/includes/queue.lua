--[[
  Shared layout and helpers of the queue scripts (enqueue, claim, ack, reap, requeue-dead). They all take the
  same first twelve keys:
    KEYS[1] work:queued    KEYS[2] work:inflight  KEYS[3] work:claimed  KEYS[4] work:leases
    KEYS[5] work:dead      KEYS[6] work:backoff
    KEYS[7..9]   work:queue:high, work:queue:normal, work:queue:low
    KEYS[10..12] work:signal:high, work:signal:normal, work:signal:low
  Queues: LPUSH at the tail, the head (next to claim) is the right end. A queue entry is the item's identity
  (element(item): id, agent, task type, priority, enqueued_at, attempt), which never changes while the item is
  queued; the item's current JSON (inbox_count and has_mention updated by merges) is in work:queued. So a merge
  is one HSET, never a scan of the queue.
]]
local K_QUEUED, K_INFLIGHT, K_CLAIMED, K_LEASES, K_DEAD, K_BACKOFF = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local QUEUE = { high = KEYS[7], normal = KEYS[8], low = KEYS[9] }
local SIGNAL = { high = KEYS[10], normal = KEYS[11], low = KEYS[12] }
local RANK = { high = 1, normal = 2, low = 3 }
local SIGNAL_CAP = 256

local function slot(agent, task)
  return agent .. '|' .. task
end

-- The queue entry of an item: a fixed field order, so the same item always gives the same string.
local function element(item)
  return '{"id":' .. cjson.encode(item.id) .. ',"agent_id":' .. cjson.encode(item.agent_id) .. ',"task_type":'
    .. cjson.encode(item.task_type) .. ',"priority":"' .. item.priority .. '","enqueued_at":'
    .. string.format('%.0f', tonumber(item.enqueued_at)) .. ',"attempt":' .. tonumber(item.attempt) .. '}'
end

-- Wake up to n claimers blocked on this queue (tokens are capped: a woken claimer keeps claiming until empty).
local function signal(priority, n)
  n = math.min(n or 1, SIGNAL_CAP)
  local tokens = {}
  for i = 1, n do tokens[i] = '1' end
  redis.call('LPUSH', SIGNAL[priority], unpack(tokens))
  redis.call('LTRIM', SIGNAL[priority], 0, SIGNAL_CAP - 1)
end

-- Forget an in-flight item (the record, the agent slot, the lease).
local function release(id, item)
  redis.call('HDEL', K_INFLIGHT, id)
  redis.call('HDEL', K_CLAIMED, slot(item.agent_id, item.task_type))
  redis.call('ZREM', K_LEASES, id)
end

-- Queue an item at the tail of its queue (or the head: next to be claimed) and index it; no wake-up.
local function push(item, at_head)
  local json = cjson.encode(item)
  redis.call(at_head and 'RPUSH' or 'LPUSH', QUEUE[item.priority], element(item))
  redis.call('HSET', K_QUEUED, slot(item.agent_id, item.task_type), json)
  return json
end

-- Put an item back at the head of its queue (next to be claimed). An item queued behind it (notifications that
-- arrived while it ran) is folded into it: one item, the higher priority, the larger count.
local function requeue_head(item)
  local behind = redis.call('HGET', K_QUEUED, slot(item.agent_id, item.task_type))
  if behind then
    local b = cjson.decode(behind)
    redis.call('LREM', QUEUE[b.priority], -1, element(b))
    if RANK[b.priority] < RANK[item.priority] then item.priority = b.priority end
    item.inbox_count = math.max(tonumber(item.inbox_count) or 0, tonumber(b.inbox_count) or 0)
    if b.has_mention then item.has_mention = true end
  end
  push(item, true)
  signal(item.priority)
end

-- Dead-letter an item, keeping at most max_dead entries (the oldest are dropped). @returns how many were dropped
local function bury(item, reason, now, max_dead)
  redis.call('LPUSH', K_DEAD, '{"item":' .. cjson.encode(item) .. ',"reason":' .. cjson.encode(reason)
    .. ',"dead_at":' .. string.format('%.0f', now) .. '}')
  local over = redis.call('LLEN', K_DEAD) - max_dead
  if over <= 0 then return 0 end
  redis.call('LTRIM', K_DEAD, 0, max_dead - 1)
  return over
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
