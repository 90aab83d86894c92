--[[
  record_failure(key, agent, err, now, base_ms, max_ms, jitter, rand): one more consecutive failure in the
  circuit breaker hash `key` (work:backoff). Delay = min(base·2^(failures-1), max)·(1 - jitter·rand), the
  formula of src/store/backoff-policy.ts. Writes and returns the JSON {until, failures, last_error}.
]]
local function record_failure(key, agent, err, now, base_ms, max_ms, jitter, rand)
  local failures = 1
  local prev = redis.call('HGET', key, agent)
  if prev then
    local ok, p = pcall(cjson.decode, prev)
    if ok and type(p) == 'table' and tonumber(p.failures) then failures = tonumber(p.failures) + 1 end
  end
  local delay = math.min(base_ms * 2 ^ (failures - 1), max_ms)
  delay = math.floor(delay * (1 - jitter * rand))
  local json = '{"until":' .. ms_string(now + delay) .. ',"failures":' .. failures .. ',"last_error":'
    .. cjson.encode(err) .. '}'
  redis.call('HSET', key, agent, json)
  return json
end
