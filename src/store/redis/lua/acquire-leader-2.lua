--[[
  Become leader if nobody is: INCR the epoch only when the lease is free, then SET NX PX.
  Input:
    KEYS[1] coordinator:leader   KEYS[2] coordinator:leader:epoch
    ARGV[1] instance id   ARGV[2] lease ms
  Output:
    the fencing token 'epoch:instance_id', or nil if another instance leads
]]
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
local token = redis.call('INCR', KEYS[2]) .. ':' .. ARGV[1]
redis.call('SET', KEYS[1], token, 'NX', 'PX', ARGV[2])
return token
