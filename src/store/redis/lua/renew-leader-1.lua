--[[
  Compare-and-pexpire: renew the leader lease only if the token still leads.
  Input:
    KEYS[1] coordinator:leader
    ARGV[1] fencing token   ARGV[2] lease ms
  Output:
    1 renewed; 0 the token does not lead
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
