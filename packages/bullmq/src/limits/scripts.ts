/**
 * The Lua scripts behind `RedisLimitStore`. Each runs atomically in Redis and reads the time
 * with Redis `TIME`, so processes whose clocks differ still share one window. Every script
 * answers 0 when it took what was asked, else the ms to wait before asking again.
 */

/** `now` in ms by the Redis server's clock. */
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * KEYS: log (zset ticket → when the request stops counting, less one interval), costs (hash
 * ticket → tokens), pause (ms until). ARGV: ticket, cost, requests limit, requests interval,
 * tokens limit, tokens interval (0 when none), in-flight ms. A request counts while in flight
 * (scored now + in-flight ms) and for one interval after its answer (scored by SETTLE_RATE).
 */
export const TAKE_RATE = `${NOW}
local ticket, cost = ARGV[1], tonumber(ARGV[2])
local reqLimit, reqMs, tokLimit, tokMs = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local inFlight = tonumber(ARGV[7])
local paused = tonumber(redis.call('GET', KEYS[3]) or '0')
if now < paused then return paused - now end
local longest = math.max(reqMs, tokMs)
local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - longest, 'LIMIT', 0, 1000)
if #old > 0 then
  redis.call('ZREM', KEYS[1], unpack(old))
  redis.call('HDEL', KEYS[2], unpack(old))
end
local wait = 0
if reqLimit > 0 then
  local count = redis.call('ZCOUNT', KEYS[1], '(' .. (now - reqMs), '+inf')
  if count >= reqLimit then
    local leaving = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - reqMs), '+inf', 'WITHSCORES', 'LIMIT', count - reqLimit, 1)
    wait = math.max(wait, tonumber(leaving[2]) + reqMs - now)
  end
end
if tokLimit > 0 then
  local counting = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - tokMs), '+inf', 'WITHSCORES')
  local sum = 0
  local costs = {}
  for i = 1, #counting, 2 do
    local c = tonumber(redis.call('HGET', KEYS[2], counting[i]) or '0')
    costs[#costs + 1] = c
    sum = sum + c
  end
  if sum + cost > tokLimit and sum > 0 then
    local w = tokMs
    for i = 1, #costs do
      sum = sum - costs[i]
      if sum + cost <= tokLimit or sum <= 0 then
        w = tonumber(counting[2 * i]) + tokMs - now
        break
      end
    end
    wait = math.max(wait, w)
  end
end
if wait > 0 then return math.max(1, math.ceil(wait)) end
redis.call('ZADD', KEYS[1], now + inFlight, ticket)
redis.call('HSET', KEYS[2], ticket, cost)
redis.call('PEXPIRE', KEYS[1], longest + inFlight + 1000)
redis.call('PEXPIRE', KEYS[2], longest + inFlight + 1000)
return 0`;

/** KEYS: log, costs. ARGV: ticket, used ('' to keep the estimate). The request's answer is in: it counts from now. */
export const SETTLE_RATE = `${NOW}
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])
  if ARGV[2] ~= '' then redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) end
end
return 0`;

/** KEYS: pause. ARGV: ms. Extends the pause to now + ms, never shortens it. */
export const PAUSE_RATE = `${NOW}
local untilMs = now + tonumber(ARGV[1])
local paused = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilMs > paused then redis.call('SET', KEYS[1], untilMs, 'PX', tonumber(ARGV[1])) end
return 0`;

/** KEYS: slots (zset holder → lease end). ARGV: holder, limit, lease ms. */
export const ACQUIRE_SLOT = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], 2 * tonumber(ARGV[3]))
  return 0
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(first[2]) - now)`;

/** KEYS: slots. ARGV: lease ms, holders…; a lease that already ran out is not revived. */
export const RENEW_SLOTS = `${NOW}
local lease = tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', now + lease, ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], 2 * lease)
return 0`;

/** KEYS: slots. ARGV: holder. */
export const RELEASE_SLOT = `redis.call('ZREM', KEYS[1], ARGV[1])
return 0`;
