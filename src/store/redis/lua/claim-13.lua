--[[
  Claim the oldest claimable item of the watched queues under a lease (includes/claim.lua).
  Input:
    KEYS[1..12] the queue layout of includes/queue.lua   KEYS[13] work:fairness (priority → claims passed over)
    ARGV[1] runner id   ARGV[2] lease token   ARGV[3] lease ms   ARGV[4] scan chunk   ARGV[5] fair-share bound
    ARGV[6..] watched priorities, highest first
  Output:
    {item JSON, lease deadline ms}, or nil when nothing is claimable
]]
--- @include "now"
--- @include "queue"
--- @include "claim"

local watched = {}
for i = 6, #ARGV do watched[#watched + 1] = ARGV[i] end
return claim_next(KEYS[13], ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), watched)
