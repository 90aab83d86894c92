--[[
  How many events one sliding-window log has counted since a time, and the oldest event of another since then: one
  script call instead of a two-command pipeline (a notification's attempts and whether it failed before).
  Input:
    KEYS[1] limits:<count key>   KEYS[2] limits:<oldest key> (ZSETs event id -> epoch ms)
    ARGV[1] counted since (epoch ms)
  Output:
    {count, the oldest counted event's time or '-1'}
]]
local count = redis.call('ZCOUNT', KEYS[1], ARGV[1], '+inf')
local oldest = redis.call('ZRANGEBYSCORE', KEYS[2], ARGV[1], '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
return {count, oldest[2] or '-1'}
