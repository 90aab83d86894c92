--[[
  Finish a claim. The agent's breaker is updated whatever the lease state (success clears it, failure adds a
  failure); the item is touched only if the token still owns it.
  Input:
    KEYS[1..12] the queue layout of includes/queue.lua
    ARGV[1] work id   ARGV[2] lease token   ARGV[3] outcome (success|failure|stopped|released|retry)
    ARGV[4] agent id  ARGV[5] error text    ARGV[6] backoff base ms   ARGV[7] backoff max ms
    ARGV[8] jitter    ARGV[9] random in [0,1)   ARGV[10] max delivery attempts (retry: requeue with attempt+1, or
    dead-letter the item and back its agent off once it reached the maximum)   ARGV[11] max dead letters
  Output:
    {1, dead letters dropped to stay within ARGV[11]} acked; -1 the token lost the item
]]
--- @include "now"
--- @include "backoff"
--- @include "queue"

local outcome, agent = ARGV[3], ARGV[4]
if outcome == 'success' then
  redis.call('HDEL', K_BACKOFF, agent)
elseif outcome == 'failure' then
  record_failure(K_BACKOFF, agent, ARGV[5], now_ms(), tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8]),
    tonumber(ARGV[9]))
end
local rec = redis.call('HGET', K_INFLIGHT, ARGV[1])
if not rec then return -1 end
local r = cjson.decode(rec)
if r.token ~= ARGV[2] then return -1 end
release(ARGV[1], r.item)
local dropped = 0
if outcome == 'released' then requeue_head(r.item) end
if outcome == 'retry' then
  local item = r.item
  if tonumber(item.attempt) >= tonumber(ARGV[10]) then
    local reason = 'max_delivery_attempts: ' .. ARGV[5]
    dropped = bury(item, reason, now_ms(), tonumber(ARGV[11]))
    record_failure(K_BACKOFF, agent, reason, now_ms(), tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8]),
      tonumber(ARGV[9]))
  else
    item.attempt = tonumber(item.attempt) + 1
    requeue_head(item)
  end
end
wake_agent(agent)
return { 1, dropped }
