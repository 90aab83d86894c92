--[[
  now_ms(): the Redis server's clock in epoch milliseconds. Every timestamp the Redis store writes comes
  from here, so coordinator and runners share one clock whatever their hosts' clocks say.
]]
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function ms_string(n)
  return string.format('%.0f', n)
end
