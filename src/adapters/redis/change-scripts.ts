/**
 * The Lua scripts of message changes (edit, delete, react, unreact) on the pipeline's Redis state.
 * Deciding and recording a change is one atomic step on the message's current state kept in Redis,
 * so concurrent changes from any instance are decided in seq order, exactly as the persistence
 * worker will apply them.
 */
import { LuaScript } from "./lua-script.ts";
import { TRIM } from "./pipeline-scripts.ts";

/** cjson encodes an empty table as `{}`: list fields are dropped when empty (the schema's "absent when unused"). */
const DROP_EMPTY_LISTS = `
local function drop_empty(m)
  for _, f in ipairs({'mentions', 'attachments', 'reactions'}) do
    if type(m[f]) == 'table' and next(m[f]) == nil then m[f] = nil end
  end
  return m
end
`;

/**
 * Decides and records a change to a message. Returns:
 *   {-1}        the room's counter is missing: seed it from the store first (as for sends);
 *   {-2}        the message's state is neither in Redis nor in the recent cache: seed it from the store;
 *   {0, json}   nothing to change (json: the current state);
 *   {2}         the message is deleted (edits and reactions);
 *   {3}         the user already has ARGV[8] distinct reactions on it;
 *   {1, json}   applied: the new state, whose rev is the room's next seq.
 * When applied, in the same step: the state is saved; the recent cache, the original send's
 * idempotency record and its outbox record (if still there) carry the new state, so no cache ever
 * answers with an edited or deleted body; the state enters the outbox under `<id>@<rev>`, the room's
 * unpersisted set (rev) and the room's index of recent changes (rev -> id).
 * KEYS: state, seq, recent, unpersisted, changes, outbox queue, edit idempotency key.
 * ARGV: change JSON, by, at, ttl sec, recent size, outbox due (ms), message id, reactions per user,
 *       outbox record prefix, send idempotency prefix, "1" when the edit carries a clientId.
 */
export const CHANGE = new LuaScript(`
${DROP_EMPTY_LISTS}
local ttl = tonumber(ARGV[4])
if ARGV[11] == '1' and redis.call('EXISTS', KEYS[7]) == 1 then
  local current = redis.call('GET', KEYS[1])
  if current then return {0, current} end
  return {-2, ''}
end
if redis.call('EXISTS', KEYS[2]) == 0 then return {-1, ''} end
local raw = redis.call('GET', KEYS[1])
if not raw then
  -- A message in the recent cache (fresh ones, the most reacted to): its entry is its current state.
  local needle = '"id":"' .. ARGV[7] .. '"'
  for _, json in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
    if string.find(json, needle, 1, true) and cjson.decode(json).id == ARGV[7] then raw = json break end
  end
  if not raw then return {-2, ''} end
end
local msg = cjson.decode(raw)
local change = cjson.decode(ARGV[1])
local kind = change.kind
local by = ARGV[2]
if msg.deleted then
  if kind == 'delete' then return {0, raw} end
  return {2}
end
if kind == 'react' or kind == 'unreact' then
  local reactions = msg.reactions or {}
  local mine, at, has = 0, nil, false
  for i, r in ipairs(reactions) do
    local reacted = false
    for _, u in ipairs(r.users) do if u == by then reacted = true break end end
    if reacted then mine = mine + 1 end
    if r.emoji == change.emoji then at, has = i, reacted end
  end
  if kind == 'react' then
    if has then return {0, raw} end
    if mine >= tonumber(ARGV[8]) then return {3} end
    if at then table.insert(reactions[at].users, by) else table.insert(reactions, {emoji = change.emoji, users = {by}}) end
  else
    if not has then return {0, raw} end
    local users = reactions[at].users
    for i, u in ipairs(users) do if u == by then table.remove(users, i) break end end
    if #users == 0 then table.remove(reactions, at) end
  end
  msg.reactions = reactions
elseif kind == 'edit' then
  msg.body = change.body
  msg.mentions = change.mentions
  msg.editedAt = tonumber(ARGV[3])
else
  -- A tombstone keeps only its place in the stream: body, attachments, mentions, reactions and reply are gone.
  msg = {id = msg.id, room = msg.room, seq = msg.seq, from = msg.from, fromName = msg.fromName, body = '', createdAt = msg.createdAt, clientId = msg.clientId, deleted = true}
end
msg.rev = redis.call('INCR', KEYS[2])
drop_empty(msg)
local json = cjson.encode(msg)
redis.call('SET', KEYS[1], json, 'EX', ttl)
if #redis.call('ZRANGE', KEYS[3], msg.seq, msg.seq, 'BYSCORE') > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], msg.seq, msg.seq)
  redis.call('ZADD', KEYS[3], msg.seq, json)
end
local idem = ARGV[10] .. msg.from .. ':' .. msg.room .. ':' .. msg.clientId
if redis.call('EXISTS', idem) == 1 then redis.call('SET', idem, json, 'KEEPTTL') end
local original = redis.call('GET', ARGV[9] .. msg.id)
if original then
  local record = cjson.decode(original)
  record.message = msg
  redis.call('SET', ARGV[9] .. msg.id, cjson.encode(record), 'KEEPTTL')
end
local key = msg.id .. '@' .. msg.rev
redis.call('SET', ARGV[9] .. key, cjson.encode({message = msg, attempts = 0, key = key}), 'EX', ttl)
redis.call('ZADD', KEYS[6], ARGV[6], key)
redis.call('ZADD', KEYS[4], msg.rev, msg.rev)
redis.call('EXPIRE', KEYS[4], ttl)
redis.call('ZADD', KEYS[5], msg.rev, msg.id)
redis.call('EXPIRE', KEYS[5], ttl)
if ARGV[11] == '1' then redis.call('SET', KEYS[7], msg.rev, 'EX', ttl) end
${TRIM("KEYS[3]", "KEYS[4]", "ARGV[5]")}
${TRIM("KEYS[5]", "KEYS[4]", "ARGV[5]")}
return {1, json}
`);

/**
 * Looks a message up in a room's recent cache by id (a message not in the store yet is there).
 * KEYS: recent. ARGV: id. Returns its JSON or false.
 */
export const FIND_RECENT = new LuaScript(`
local needle = '"id":"' .. ARGV[1] .. '"'
for _, json in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if string.find(json, needle, 1, true) and cjson.decode(json).id == ARGV[1] then return json end
end
return false
`);
