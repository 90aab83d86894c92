--[[
  Finish a claim and take the next one in the same round trip (a runner with work waiting pays one script call per
  item, not two): ack_item (includes/ack.lua), then claim_next (includes/claim.lua). The claim runs whether or not
  the ack found its item (a lost lease still frees the runner's slot).
  Input:
    KEYS[1..12] the queue layout of includes/queue.lua   KEYS[13] work:fairness
    ARGV[1..11] the ack's arguments (see ack-12.lua)
    ARGV[12] runner id   ARGV[13] new lease token   ARGV[14] lease ms   ARGV[15] scan chunk   ARGV[16] fair-share bound
    ARGV[17..] watched priorities, highest first
  Output:
    {ack result (1 acked, -1 lease lost), dead letters dropped, next item JSON or false, its lease deadline or false}
]]
--- @include "now"
--- @include "backoff"
--- @include "queue"
--- @include "ack"
--- @include "claim"

local acked = ack_item(ARGV)
local watched = {}
for i = 17, #ARGV do watched[#watched + 1] = ARGV[i] end
local next_claim = claim_next(KEYS[13], ARGV[12], ARGV[13], tonumber(ARGV[14]), tonumber(ARGV[15]),
  tonumber(ARGV[16]), watched)
local result = { -1, 0, false, false }
if type(acked) == 'table' then result[1], result[2] = 1, acked[2] end
if next_claim then result[3], result[4] = next_claim[1], next_claim[2] end
return result
