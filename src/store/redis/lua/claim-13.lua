--[[
  Claim the oldest claimable item of the watched queues under a lease. Items whose agent already has an
  in-flight item (any task type) are skipped and stay in place; the scan goes on to the end of the queue if
  need be (it passes at most one entry per in-flight item, so it stays short).
  Fairness: queues are served highest first, but a watched queue that holds work and has been passed over by
  ARGV[5] claims in a row (claims by claimers that watch it, served from a higher queue) is served first.
  Input:
    KEYS[1..12] the queue layout of includes/queue.lua   KEYS[13] work:fairness (priority → claims passed over)
    ARGV[1] runner id   ARGV[2] lease token   ARGV[3] lease ms   ARGV[4] scan chunk   ARGV[5] fair-share bound
    ARGV[6..] watched priorities, highest first
  Output:
    {item JSON, lease deadline ms}, or nil when nothing is claimable
]]
--- @include "now"
--- @include "queue"

local K_FAIR = KEYS[13]
local chunk, bound = tonumber(ARGV[4]), tonumber(ARGV[5])

local function busy(agent)
  return redis.call('HEXISTS', K_CLAIMED, slot(agent, 'INBOX')) == 1
    or redis.call('HEXISTS', K_CLAIMED, slot(agent, 'DISCOVERY')) == 1
end

-- Take the oldest entry of queue q whose agent is not busy. An entry whose item is not the one work:queued holds
-- for its slot (pushed by hand, or left by an older version) is stale: dropped, never handed out twice.
-- @returns the item's current JSON, or nil
local function take(q)
  local from = 0
  while true do
    local entries = redis.call('LRANGE', q, -(from + chunk), -(from + 1))
    local dropped = 0
    for j = #entries, 1, -1 do
      local entry = entries[j]
      local e = cjson.decode(entry)
      local key = slot(e.agent_id, e.task_type)
      local json = redis.call('HGET', K_QUEUED, key)
      if not json or not string.find(json, '"id":' .. cjson.encode(e.id), 1, true) then
        redis.call('LREM', q, -1, entry)
        dropped = dropped + 1
      elseif not busy(e.agent_id) then
        if from == 0 and j == #entries then redis.call('RPOP', q) else redis.call('LREM', q, -1, entry) end
        redis.call('HDEL', K_QUEUED, key)
        return json
      end
    end
    if #entries < chunk then return nil end
    from = from + chunk - dropped
  end
end

local watched = {}
for i = 6, #ARGV do watched[#watched + 1] = ARGV[i] end
-- Service order: starved queues (passed over `bound` times while holding work) first, then highest first.
local order = {}
for i = 2, #watched do
  if tonumber(redis.call('HGET', K_FAIR, watched[i]) or '0') >= bound then order[#order + 1] = watched[i] end
end
for _, p in ipairs(watched) do order[#order + 1] = p end

local now = now_ms()
for _, p in ipairs(order) do
  local json = take(QUEUE[p])
  if json then
    if redis.call('LLEN', QUEUE[p]) == 0 then redis.call('DEL', SIGNAL[p]) end
    redis.call('HDEL', K_FAIR, p)
    for _, lower in ipairs(watched) do
      if RANK[lower] > RANK[p] and redis.call('LLEN', QUEUE[lower]) > 0 then redis.call('HINCRBY', K_FAIR, lower, 1) end
    end
    local item = cjson.decode(json)
    local key = slot(item.agent_id, item.task_type)
    local deadline = now + tonumber(ARGV[3])
    redis.call('HSET', K_INFLIGHT, item.id, '{"item":' .. json .. ',"runner_id":' .. cjson.encode(ARGV[1])
      .. ',"token":' .. cjson.encode(ARGV[2]) .. ',"claimed_at":' .. ms_string(now) .. '}')
    redis.call('HSET', K_CLAIMED, key, item.id)
    redis.call('ZADD', K_LEASES, deadline, item.id)
    return { json, deadline }
  end
end
return false
