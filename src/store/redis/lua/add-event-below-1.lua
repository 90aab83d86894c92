--[[
  Record one event in a sliding-window log only while fewer than `max` events are in the counted window: the check
  and the add happen together, so writes racing from several tool calls or runners cannot all pass one check
  (daily write limits). An id already in the counted window is the same write again: kept, not counted twice.
  Input:
    KEYS[1] limits:<key> (ZSET event id -> epoch ms)
    ARGV[1] event id   ARGV[2] event time (epoch ms, the caller's clock)   ARGV[3] window ms
    ARGV[4] counted since (epoch ms)   ARGV[5] max events counted
  Output:
    {1, count after adding} added; {0, count, oldest counted event time} refused
]]
local at = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local since = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (at - window))
local known = redis.call('ZSCORE', KEYS[1], ARGV[1])
local count = redis.call('ZCOUNT', KEYS[1], since, '+inf')
local counted = known and tonumber(known) >= since
if not counted and count >= tonumber(ARGV[5]) then
  local oldest = redis.call('ZRANGEBYSCORE', KEYS[1], since, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  return {0, count, oldest[2] or '-1'}
end
redis.call('ZADD', KEYS[1], at, ARGV[1])
redis.call('PEXPIRE', KEYS[1], window)
if counted then return {1, count} end
return {1, count + 1}
