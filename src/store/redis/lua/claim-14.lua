--[[
  Claim the oldest claimable item of the watched queues under a lease (includes/claim.lua), and with it create the
  claim's activation record when asked (the runner: no separate start-activation call).
  Input:
    KEYS[1..12] the queue layout of includes/queue.lua   KEYS[13] work:fairness (priority → claims passed over)
    KEYS[14] activation:{id} of the record to create (any key of the slot when ARGV[6] is '')
    ARGV[1] runner id   ARGV[2] lease token   ARGV[3] lease ms   ARGV[4] scan chunk   ARGV[5] fair-share bound
    ARGV[6] activation id of the record to create, or '' for none   ARGV[7] the record's TTL ms
    ARGV[8..] watched priorities, highest first
  Output:
    {item JSON, lease deadline ms}, or nil when nothing is claimable (no record is created then)
]]
--- @include "now"
--- @include "queue"
--- @include "activation"
--- @include "claim"

local watched = {}
for i = 8, #ARGV do watched[#watched + 1] = ARGV[i] end
return claim_next(KEYS[13], ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), watched,
  activation_to_create(KEYS[14], ARGV[6], ARGV[7]))
