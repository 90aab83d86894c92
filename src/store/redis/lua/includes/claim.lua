--[[
  claim_next(k_fair, runner, token, lease_ms, chunk, bound, watched, record): take the oldest claimable item of the
  watched queues (highest first, with the fair share) under a lease; used by claim and ack-claim. Needs "now", "queue"
  and "activation". With `record` ({key, id, ttl}: activation_to_create) the claim also creates its activation record
  (activation_id, agent_id, runner_id, task_type, work_id; started_at = the claim's time), what start-activation
  writes.
  Items whose agent already has an in-flight item (any task type) are skipped and stay in place; the scan goes on to
  the end of the queue if need be (it passes at most one entry per in-flight item, so it stays short).
  Fairness: a watched queue that holds work and has been passed over by `bound` claims in a row (claims by
  claimers that watch it, served from a higher queue) is served first.
  @returns {item JSON, lease deadline ms}, or false when nothing is claimable
]]

local function busy(agent)
  return redis.call('HEXISTS', K_CLAIMED, slot(agent, 'INBOX')) == 1
    or redis.call('HEXISTS', K_CLAIMED, slot(agent, 'DISCOVERY')) == 1
end

-- Take the oldest entry of queue q whose agent is not busy. An entry whose item is not the one work:queued holds
-- for its slot (pushed by hand, or left by an older version) is stale: dropped, never handed out twice. The first
-- look is at the head entries only (the common case); then the scan goes on `chunk` entries at a time.
-- @returns the item's current JSON and its slot, or nil
local function take(q, chunk)
  local from, size = 0, 2
  while true do
    local entries = redis.call('LRANGE', q, -(from + size), -(from + 1))
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
        return json, key, e.id
      end
    end
    if #entries < size then return nil end
    from = from + size - dropped
    size = chunk
  end
end

local function claim_next(k_fair, runner, token, lease_ms, chunk, bound, watched, record)
  -- Service order: starved queues (passed over `bound` times while holding work) first, then highest first.
  local order = {}
  for i = 2, #watched do
    if tonumber(redis.call('HGET', k_fair, watched[i]) or '0') >= bound then order[#order + 1] = watched[i] end
  end
  for _, p in ipairs(watched) do order[#order + 1] = p end

  local now = now_ms()
  for _, p in ipairs(order) do
    local json, key, id = take(QUEUE[p], chunk)
    if json then
      if redis.call('LLEN', QUEUE[p]) == 0 then redis.call('DEL', SIGNAL[p]) end
      redis.call('HDEL', k_fair, p)
      for _, lower in ipairs(watched) do
        if RANK[lower] > RANK[p] and redis.call('LLEN', QUEUE[lower]) > 0 then redis.call('HINCRBY', k_fair, lower, 1) end
      end
      local deadline = now + lease_ms
      redis.call('HSET', K_INFLIGHT, id, '{"item":' .. json .. ',"runner_id":' .. cjson.encode(runner)
        .. ',"token":' .. cjson.encode(token) .. ',"claimed_at":' .. ms_string(now) .. '}')
      redis.call('HSET', K_CLAIMED, key, id)
      redis.call('ZADD', K_LEASES, deadline, id)
      if record then
        local agent, task = string.match(key, '^(.*)|(%u+)$')
        create_activation(record.key, record.ttl, now, { 'activation_id', record.id, 'agent_id', agent,
          'runner_id', runner, 'task_type', task, 'work_id', id })
      end
      return { json, deadline }
    end
  end
  return false
end
