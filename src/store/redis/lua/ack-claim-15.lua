--[[
  Finish a claim and take the next one in the same round trip (a runner with work waiting pays one script call per
  item, not two): ack_item (includes/ack.lua), then claim_next (includes/claim.lua). The claim runs whether or not
  the ack found its item (a lost lease still frees the runner's slot). The acked claim's activation record is
  deleted and the next claim's created, when asked (the runner: no separate DEL and start-activation calls).
  Input:
    KEYS[1..12] the queue layout of includes/queue.lua   KEYS[13] work:fairness
    KEYS[14] activation:{id} of the acked claim's record (any key of the slot when ARGV[12] is '')
    KEYS[15] activation:{id} of the next claim's record (any key of the slot when ARGV[18] is '')
    ARGV[1..12] the ack's arguments (see ack-13.lua; ARGV[12] '1' deletes KEYS[14])
    ARGV[13] runner id   ARGV[14] new lease token   ARGV[15] lease ms   ARGV[16] scan chunk   ARGV[17] fair-share bound
    ARGV[18] activation id of the next claim's record, or '' for none   ARGV[19] its TTL ms
    ARGV[20..] watched priorities, highest first
  Output:
    {ack result (1 acked, -1 lease lost), dead letters dropped, next item JSON or false, its lease deadline or false}
]]
--- @include "now"
--- @include "backoff"
--- @include "queue"
--- @include "activation"
--- @include "ack"
--- @include "claim"

local acked = ack_item(ARGV, KEYS[14])
local watched = {}
for i = 20, #ARGV do watched[#watched + 1] = ARGV[i] end
local next_claim = claim_next(KEYS[13], ARGV[13], ARGV[14], tonumber(ARGV[15]), tonumber(ARGV[16]),
  tonumber(ARGV[17]), watched, activation_to_create(KEYS[15], ARGV[18], ARGV[19]))
local result = { -1, 0, false, false }
if type(acked) == 'table' then result[1], result[2] = 1, acked[2] end
if next_claim then result[3], result[4] = next_claim[1], next_claim[2] end
return result
