--[[
  ack_item(A, k_record): finish a claim; used by ack and ack-claim. Needs "now", "backoff" and "queue". The agent's
  breaker is updated whatever the lease state (success clears it, failure adds a failure), and so is the claim's
  activation record deleted (k_record, when A[12] is '1': a claim that created it); the item is touched only if the
  token still owns it.
  A[1] work id   A[2] lease token   A[3] outcome (success|failure|stopped|released|retry)   A[4] agent id
  A[5] error text   A[6] backoff base ms   A[7] backoff max ms   A[8] jitter   A[9] random in [0,1)
  A[10] max delivery attempts (retry: requeue with attempt+1, or dead-letter the item and back its agent off once it
  reached the maximum)   A[11] max dead letters   A[12] '1' to delete the activation record k_record, else ''
  @returns {1, dead letters dropped to stay within A[11]} acked; -1 the token lost the item
]]
local function ack_item(A, k_record)
  local outcome, agent = A[3], A[4]
  if A[12] == '1' then redis.call('DEL', k_record) end
  if outcome == 'success' then
    redis.call('HDEL', K_BACKOFF, agent)
  elseif outcome == 'failure' then
    record_failure(K_BACKOFF, agent, A[5], now_ms(), tonumber(A[6]), tonumber(A[7]), tonumber(A[8]), tonumber(A[9]))
  end
  local rec = redis.call('HGET', K_INFLIGHT, A[1])
  if not rec then return -1 end
  -- The common case (a success) needs only the token and the slot: found in the record's text, which the claim
  -- scripts write as {"item":{...},"runner_id":…,"token":…,"claimed_at":…}; anything else is decoded.
  local item
  if outcome ~= 'released' and outcome ~= 'retry' and string.find(rec, ',"token":' .. cjson.encode(A[2]) .. ',"claimed_at":', 1, true) then
    item = { agent_id = agent, task_type = string.match(rec, '^{"item":{[^{}]-"task_type":"(%u+)"') }
  end
  if not item or not item.task_type then
    local r = cjson.decode(rec)
    if r.token ~= A[2] then return -1 end
    item = r.item
  end
  release(A[1], item)
  local dropped = 0
  if outcome == 'released' then requeue_head(item) end
  if outcome == 'retry' then
    if tonumber(item.attempt) >= tonumber(A[10]) then
      local reason = 'max_delivery_attempts: ' .. A[5]
      dropped = bury(item, reason, now_ms(), tonumber(A[11]))
      record_failure(K_BACKOFF, agent, reason, now_ms(), tonumber(A[6]), tonumber(A[7]), tonumber(A[8]),
        tonumber(A[9]))
    else
      item.attempt = tonumber(item.attempt) + 1
      requeue_head(item)
    end
  end
  wake_agent(agent)
  return { 1, dropped }
end
