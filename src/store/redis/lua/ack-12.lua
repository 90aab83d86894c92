--[[
  Finish a claim (includes/ack.lua).
  Input:
    KEYS[1..12] the queue layout of includes/queue.lua
    ARGV[1..11] as A[1..11] of ack_item: work id, lease token, outcome, agent id, error text, backoff base ms,
    backoff max ms, jitter, random in [0,1), max delivery attempts, max dead letters
  Output:
    {1, dead letters dropped} acked; -1 the token lost the item
]]
--- @include "now"
--- @include "backoff"
--- @include "queue"
--- @include "ack"

return ack_item(ARGV)
