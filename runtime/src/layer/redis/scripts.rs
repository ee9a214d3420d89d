//! Lua scripts: each runs atomically on Redis and reads Redis's own clock,
//! so membership expiry does not depend on the processes' clocks agreeing.
//!
//! A group is a sorted set `<prefix>:group:<name>` of channel names scored by
//! the time (ms) their membership expires; the key itself expires with its
//! last member.

use redis::Script;

/// Milliseconds on Redis's clock (`now`), shared by every script.
const NOW: &str = "local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
";

/// KEYS[1] group; ARGV[1] expiry ms; ARGV[2..] channels. Adds or refreshes.
pub(super) fn group_add() -> Script {
    Script::new(&format!(
        "{NOW}local expiry = tonumber(ARGV[1])
for i = 2, #ARGV do
  redis.call('ZADD', KEYS[1], now + expiry, ARGV[i])
end
if redis.call('PTTL', KEYS[1]) < expiry then
  redis.call('PEXPIRE', KEYS[1], expiry)
end
return #ARGV - 1"
    ))
}

/// How many channels the busy set (the last key) holds, expired marks
/// dropped. A route's busy set is a sorted set `<prefix>:busy:group:<name>`
/// or `<prefix>:busy:channel:<name>` of the channels whose backlog it feeds,
/// scored by when their mark expires (see `backlog`).
const BUSY: &str = "redis.call('ZREMRANGEBYSCORE', KEYS[#KEYS], '-inf', now)
local busy = redis.call('ZCARD', KEYS[#KEYS])
";

/// KEYS[1] group, KEYS[2] its busy set; ARGV[1] the sending process
/// (skipped: it delivered to its own members already); ARGV[2] process
/// channel prefix; ARGV[3] payload. Drops expired members, then publishes
/// once to every other process that has a member. Returns how many members
/// are busy.
pub(super) fn group_send() -> Script {
    Script::new(&format!(
        "{NOW}redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local seen = {{}}
for _, channel in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local process = string.match(channel, '^([^!]*)!')
  if process and process ~= ARGV[1] and not seen[process] then
    seen[process] = true
    redis.call('PUBLISH', ARGV[2] .. process, ARGV[3])
  end
end
{BUSY}return busy"
    ))
}

/// KEYS[1] the channel's busy set; ARGV[1] the process's pub/sub channel;
/// ARGV[2] payload. Returns `{receivers, busy}`.
pub(super) fn send() -> Script {
    Script::new(&format!(
        "{NOW}local receivers = redis.call('PUBLISH', ARGV[1], ARGV[2])
{BUSY}return {{receivers, busy}}"
    ))
}

/// KEYS[1] a busy set. How many channels it holds.
pub(super) fn busy() -> Script {
    Script::new(&format!("{NOW}{BUSY}return busy"))
}

/// KEYS busy sets; ARGV[1] channel; ARGV[2] expiry ms. Marks the channel
/// busy in each, or renews the mark.
pub(super) fn mark_busy() -> Script {
    Script::new(&format!(
        "{NOW}local expiry = tonumber(ARGV[2])
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, now + expiry, ARGV[1])
  if redis.call('PTTL', key) < expiry then
    redis.call('PEXPIRE', key, expiry)
  end
end
return #KEYS"
    ))
}

/// KEYS busy sets; ARGV[1] channel. Removes the channel's marks.
pub(super) fn clear_busy() -> Script {
    Script::new(
        "for _, key in ipairs(KEYS) do
  redis.call('ZREM', key, ARGV[1])
end
return #KEYS",
    )
}

/// KEYS[1] group. The members whose membership has not expired.
pub(super) fn group_channels() -> Script {
    Script::new(&format!(
        "{NOW}return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')"
    ))
}
