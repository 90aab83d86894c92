--[[
  Record one failed activation in the circuit breaker.
  Input:
    KEYS[1] work:backoff
    ARGV[1] agent id   ARGV[2] error text   ARGV[3] base ms   ARGV[4] max ms   ARGV[5] jitter   ARGV[6] random
  Output:
    the new JSON {until, failures, last_error}
]]
--- @include "now"
--- @include "backoff"

return record_failure(KEYS[1], ARGV[1], ARGV[2], now_ms(), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]),
  tonumber(ARGV[6]))
