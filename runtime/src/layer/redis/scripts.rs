//! Lua scripts of the core flavour: each does in one round trip, atomically,
//! what channels_redis does in several commands, writing the same keys,
//! members and scores.
//!
//! - a group is the sorted set `<prefix>:group:<group>` of channel names
//!   scored by when they joined (unix seconds);
//! - a process queue is the sorted set `<prefix>specific.<process>!` of
//!   message bytes scored by when they were sent;
//! - scores and cut-offs come from the sender's clock, as in channels_redis.

use redis::Script;

/// KEYS[1] queue; ARGV[1] message, ARGV[2] now (float seconds), ARGV[3]
/// expiry (s), ARGV[4] capacity. channels_redis's `send`: drop expired
/// messages; a full queue refuses (returns 0); else add and re-arm the
/// key's expiry (returns 1).
pub(super) fn send() -> Script {
    Script::new(
        "local now = tonumber(ARGV[2])
local expiry = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], 0, math.floor(now) - expiry)
if redis.call('ZCOUNT', KEYS[1], '-inf', '+inf') >= tonumber(ARGV[4]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('EXPIRE', KEYS[1], expiry)
return 1",
    )
}

/// KEYS[1] group; ARGV[1] cut-off (int(now) - group_expiry); ARGV[2] the
/// prefix of chanx-runtime liveness keys. channels_redis's first half of
/// `group_send` (drop memberships older than the group expiry, list the
/// rest), plus: members of a chanx-runtime process (its process prefix is a
/// version-8 UUID) whose liveness key is gone are removed, so a dead Rust
/// process's memberships do not outlive it. Python processes' members are
/// left as channels_redis leaves them.
pub(super) fn group_members() -> Script {
    Script::new(
        "redis.call('ZREMRANGEBYSCORE', KEYS[1], 0, ARGV[1])
local dead = {}
local members = {}
for _, channel in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local process = string.match(channel, '^specific%.(%x+)!')
  if process and #process == 32 and string.sub(process, 13, 13) == '8' then
    if dead[process] == nil then
      dead[process] = redis.call('EXISTS', ARGV[2] .. process) == 0
    end
  end
  if process and dead[process] then
    redis.call('ZREM', KEYS[1], channel)
  else
    members[#members + 1] = channel
  end
end
return members",
    )
}

/// channels_redis's `group_send` script, with the expiry clean-up it
/// pipelines before it folded in. KEYS: process queues; ARGV: one message
/// per key, one capacity per key, now, expiry. Returns the (1-based)
/// indices of the queues that were full: they miss the message.
pub(super) fn group_send() -> Script {
    Script::new(
        "local full = {}
local current_time = ARGV[#ARGV - 1]
local expiry = ARGV[#ARGV]
local cutoff = math.floor(tonumber(current_time)) - tonumber(expiry)
for i=1,#KEYS do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], 0, cutoff)
  if redis.call('ZCOUNT', KEYS[i], '-inf', '+inf') < tonumber(ARGV[i + #KEYS]) then
    redis.call('ZADD', KEYS[i], current_time, ARGV[i])
    redis.call('EXPIRE', KEYS[i], expiry)
  else
    full[#full + 1] = i
  end
end
return full",
    )
}

/// KEYS[1] group; ARGV[1] now, ARGV[2] group expiry (s), ARGV[3..]
/// channels. channels_redis's `group_add` for several channels at once
/// (also how a process re-registers its memberships).
pub(super) fn group_add() -> Script {
    Script::new(
        "for i = 3, #ARGV do
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[i])
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return #ARGV - 2",
    )
}

/// KEYS[1] this process's liveness key; ARGV[1] its lifetime (ms). Sets it
/// and returns whether it was still there: 0 means it lapsed (Redis was
/// restarted empty, or this process stalled), so other processes may have
/// removed its memberships and it must write them again.
pub(super) fn alive() -> Script {
    Script::new(
        "local had = redis.call('EXISTS', KEYS[1])
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
return had",
    )
}
