--[[
  Compare-and-delete: step down only if the token still leads.
  Input:
    KEYS[1] coordinator:leader
    ARGV[1] fencing token
  Output:
    1 released; 0 the token did not lead
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
