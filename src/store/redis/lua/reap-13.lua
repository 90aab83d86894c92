--[[
  Leader only: requeue items whose lease expired at the head of their queue with attempt+1, or move them to
  work:dead (and back off their agent) once attempt reached the maximum.
  Input:
    KEYS[1..12] the queue layout of includes/queue.lua   KEYS[13] coordinator:leader
    ARGV[1] leader fencing token   ARGV[2] max delivery attempts   ARGV[3] max items this pass
    ARGV[4] backoff base ms   ARGV[5] backoff max ms   ARGV[6] jitter   ARGV[7] random in [0,1)
    ARGV[8] max dead letters
  Output:
    -2 if ARGV[1] is not the current leader value; else a flat list {'requeued'|'dead', work id, ...}, then
    'dropped' and the number of the oldest dead letters dropped to stay within ARGV[8]
]]
--- @include "now"
--- @include "backoff"
--- @include "queue"

if redis.call('GET', KEYS[13]) ~= ARGV[1] then return -2 end
local now = now_ms()
local out = {}
local dropped = 0
local ids = redis.call('ZRANGEBYSCORE', K_LEASES, '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do
  redis.call('ZREM', K_LEASES, id)
  local rec = redis.call('HGET', K_INFLIGHT, id)
  if rec then
    local item = cjson.decode(rec).item
    release(id, item)
    if tonumber(item.attempt) >= tonumber(ARGV[2]) then
      dropped = dropped + bury(item, 'max_delivery_attempts', now, tonumber(ARGV[8]))
      record_failure(K_BACKOFF, item.agent_id, 'max_delivery_attempts', now, tonumber(ARGV[4]), tonumber(ARGV[5]),
        tonumber(ARGV[6]), tonumber(ARGV[7]))
      table.insert(out, 'dead')
    else
      item.attempt = tonumber(item.attempt) + 1
      requeue_head(item)
      table.insert(out, 'requeued')
    end
    table.insert(out, id)
    wake_agent(item.agent_id)
  end
end
table.insert(out, 'dropped')
table.insert(out, tostring(dropped))
return out
