--[[
  Finish a claim (includes/ack.lua), deleting the activation record the claim created with it.
  Input:
    KEYS[1..12] the queue layout of includes/queue.lua
    KEYS[13] activation:{id} of the claim's record (any key of the slot when ARGV[12] is '')
    ARGV[1..12] as A[1..12] of ack_item: work id, lease token, outcome, agent id, error text, backoff base ms,
    backoff max ms, jitter, random in [0,1), max delivery attempts, max dead letters, '1' to delete KEYS[13] (else '')
  Output:
    {1, dead letters dropped} acked; -1 the token lost the item (the record is deleted all the same)
]]
--- @include "now"
--- @include "backoff"
--- @include "queue"
--- @include "ack"

return ack_item(ARGV, KEYS[13])
