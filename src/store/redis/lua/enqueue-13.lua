--[[
  Enqueue a batch of work requests with dedupe and the circuit breaker; O(1) per request (two HMGETs for the
  batch; a merge is one HSET, or nothing when nothing changed). Only a priority raise (a mention for an agent queued in
  `normal`) removes an entry from the middle of a queue, once per item.
  Input:
    KEYS[1..12] the queue layout of includes/queue.lua   KEYS[13] coordinator:leader
    ARGV[1] leader fencing token, or '' for an unfenced enqueue (tests, local mode)
    ARGV[2..] eight values per request: agent id, task type (INBOX|DISCOVERY), priority (high|normal|low),
              inbox count, '1' if the inbox has a mention, id for a new item, W3C traceparent for a new item
              ('' = none; a merge keeps the item's own), '1' if the Hub reported the notifications as new
              (a long-poll with a cursor)
  Output:
    -2 if ARGV[1] is set and is not the current leader value (nothing written); else a flat list, two values
    per request in order:
    'in_backoff', backoff JSON   agent's breaker is open: refused
    'in_flight', work id         the agent already runs this task type and nothing new arrived: refused
                                 (new notifications: 'enqueued' behind it, claimable once it is acked)
    'merged', item JSON          already queued: inbox_count updated (moved up to a higher queue on a mention)
    'enqueued', item JSON        new item LPUSHed
]]
--- @include "now"
--- @include "queue"

if ARGV[1] ~= '' and redis.call('GET', KEYS[13]) ~= ARGV[1] then return -2 end
local now = now_ms()
local out = {}
local wake = {}

-- The breaker entries and queued items of the whole batch in two HMGETs; `written` holds what this call changed
-- (an agent may appear twice in one batch).
local agents, slots = {}, {}
for i = 2, #ARGV, 8 do
  agents[#agents + 1] = ARGV[i]
  slots[#slots + 1] = slot(ARGV[i], ARGV[i + 1])
end
if #agents == 0 then return {} end
local backoffs = redis.call('HMGET', K_BACKOFF, unpack(agents))
local queued = redis.call('HMGET', K_QUEUED, unpack(slots))
local written = {}

local function enqueue_one(n, agent, task, prio, count, mention, new_id, traceparent, fresh)
  local b = backoffs[n]
  if b then
    local ok, rec = pcall(cjson.decode, b)
    if ok and type(rec) == 'table' and tonumber(rec['until']) and tonumber(rec['until']) > now then
      return 'in_backoff', b
    end
  end
  local key = slots[n]
  local old = written[key]
  if old == nil then old = queued[n] end
  if old then
    -- A queued slot is never in flight (a claim moves it from work:queued to work:claimed). The common case of a
    -- resync, nothing changed, is answered from the stored JSON without decoding it.
    local raise = RANK[prio] < RANK[string.match(old, '"priority":"(%a+)"')]
    if not raise and string.find(old, '"inbox_count":' .. count .. '[,}]')
      and (not mention or string.find(old, '"has_mention":true', 1, true)) then
      return 'merged', old
    end
    local item = cjson.decode(old)
    item.inbox_count = count
    if mention then item.has_mention = true end
    if raise then
      redis.call('LREM', QUEUE[item.priority], -1, element(item))
      item.priority = prio
      wake[prio] = (wake[prio] or 0) + 1
      written[key] = push(item, false)
      return 'merged', written[key]
    end
    written[key] = cjson.encode(item)
    redis.call('HSET', K_QUEUED, key, written[key])
    return 'merged', written[key]
  end
  local running = redis.call('HGET', K_CLAIMED, key)
  if running then
    -- The running activation read the inbox when it started. Notifications that arrived since (the Hub says they
    -- are new, or there are more than its item was queued for) get an item queued behind it: claims skip it while
    -- the agent is busy, and the ack wakes its queue. Otherwise they are the ones being answered: refused.
    local behind = fresh
    if not behind then
      local rec = redis.call('HGET', K_INFLIGHT, running)
      local was = rec and tonumber(string.match(rec, '"inbox_count":(%d+)'))
      behind = was ~= nil and count > was
    end
    if not behind then return 'in_flight', running end
  end

  local item = { id = new_id, agent_id = agent, task_type = task, priority = prio, inbox_count = count,
    enqueued_at = now, attempt = 1 }
  if mention then item.has_mention = true end
  if traceparent ~= '' then item.traceparent = traceparent end
  wake[prio] = (wake[prio] or 0) + 1
  written[key] = push(item, false)
  return 'enqueued', written[key]
end

for i = 2, #ARGV, 8 do
  local status, payload = enqueue_one((i + 6) / 8, ARGV[i], ARGV[i + 1], ARGV[i + 2], tonumber(ARGV[i + 3]),
    ARGV[i + 4] == '1', ARGV[i + 5], ARGV[i + 6], ARGV[i + 7] == '1')
  out[#out + 1] = status
  out[#out + 1] = payload
end
for prio, n in pairs(wake) do signal(prio, n) end
return out
