--[[
  Put dead letters back in their queue with attempt 1 (one by work id, or all). A dead item whose agent is
  already queued or in flight for that task type is dropped (dedupe) rather than requeued.
  Input:
    KEYS[1..12] the queue layout of includes/queue.lua
    ARGV[1] work id, or '' for all
  Output:
    the number of items requeued
]]
--- @include "queue"

local n = 0
for _, d in ipairs(redis.call('LRANGE', K_DEAD, 0, -1)) do
  local ok, dd = pcall(cjson.decode, d)
  if ok and type(dd) == 'table' and type(dd.item) == 'table' and (ARGV[1] == '' or dd.item.id == ARGV[1]) then
    redis.call('LREM', K_DEAD, 1, d)
    local item = dd.item
    local key = slot(item.agent_id, item.task_type)
    if redis.call('HEXISTS', K_QUEUED, key) == 0 and redis.call('HEXISTS', K_CLAIMED, key) == 0 then
      item.attempt = 1
      push(item, false)
      signal(item.priority)
      n = n + 1
    end
  end
end
return n
