--[[
  Push a lease deadline out if the token still owns the item.
  Input:
    KEYS[1] work:inflight   KEYS[2] work:leases
    ARGV[1] work id   ARGV[2] lease token   ARGV[3] lease ms
  Output:
    the new deadline (epoch ms), or -1 if the token lost the item
]]
--- @include "now"

local rec = redis.call('HGET', KEYS[1], ARGV[1])
if not rec then return -1 end
if cjson.decode(rec).token ~= ARGV[2] then return -1 end
local deadline = now_ms() + tonumber(ARGV[3])
redis.call('ZADD', KEYS[2], deadline, ARGV[1])
return deadline
