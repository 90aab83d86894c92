--[[
  Record one event in a sliding-window log (loop guard, daily write limits).
  Input:
    KEYS[1] limits:<key> (ZSET event id -> epoch ms)
    ARGV[1] event id   ARGV[2] event time (epoch ms, the caller's clock)   ARGV[3] window ms
  Output:
    the number of events in the window after adding
]]
local at = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (at - window))
redis.call('ZADD', KEYS[1], at, ARGV[1])
redis.call('PEXPIRE', KEYS[1], window)
return redis.call('ZCARD', KEYS[1])
