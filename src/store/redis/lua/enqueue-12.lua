--[[
  Enqueue work with dedupe and the circuit breaker.
  Input:
    KEYS[1..12] the queue layout of includes/queue.lua
    ARGV[1] agent id      ARGV[2] task type (INBOX|DISCOVERY)   ARGV[3] priority (high|normal|low)
    ARGV[4] inbox count   ARGV[5] '1' if the inbox has a mention  ARGV[6] id for a new item
  Output:
    {'in_backoff', backoff JSON}  agent's breaker is open: refused
    {'in_flight', work id}        the agent already runs this task type: refused
    {'merged', item JSON}         already queued: inbox_count updated (moved up to a higher queue on a mention)
    {'enqueued', item JSON}       new item LPUSHed
]]
--- @include "now"
--- @include "queue"

local agent, task, prio = ARGV[1], ARGV[2], ARGV[3]
local now = now_ms()
local b = redis.call('HGET', K_BACKOFF, agent)
if b then
  local ok, rec = pcall(cjson.decode, b)
  if ok and type(rec) == 'table' and tonumber(rec['until']) and tonumber(rec['until']) > now then
    return { 'in_backoff', b }
  end
end
local key = slot(agent, task)
local running = redis.call('HGET', K_CLAIMED, key)
if running then return { 'in_flight', running } end

local old = redis.call('HGET', K_QUEUED, key)
if old then
  local item = cjson.decode(old)
  item.inbox_count = tonumber(ARGV[4])
  if ARGV[5] == '1' then item.has_mention = true end
  local json
  if RANK[prio] < RANK[item.priority] then
    redis.call('LREM', QUEUE[item.priority], -1, old)
    item.priority = prio
    json = cjson.encode(item)
    redis.call('LPUSH', QUEUE[prio], json)
    signal(prio)
  else
    json = cjson.encode(item)
    local pos = redis.call('LPOS', QUEUE[item.priority], old)
    if pos then
      redis.call('LSET', QUEUE[item.priority], pos, json)
    else
      redis.call('LPUSH', QUEUE[item.priority], json)
      signal(item.priority)
    end
  end
  redis.call('HSET', K_QUEUED, key, json)
  return { 'merged', json }
end

local json = '{"id":' .. cjson.encode(ARGV[6]) .. ',"agent_id":' .. cjson.encode(agent) .. ',"task_type":"' .. task
  .. '","priority":"' .. prio .. '","inbox_count":' .. tonumber(ARGV[4]) .. ',"enqueued_at":' .. ms_string(now)
  .. ',"attempt":1' .. (ARGV[5] == '1' and ',"has_mention":true' or '') .. '}'
redis.call('LPUSH', QUEUE[prio], json)
redis.call('HSET', K_QUEUED, key, json)
signal(prio)
return { 'enqueued', json }
