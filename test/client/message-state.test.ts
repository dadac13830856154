/** The client's rules for messages in their current state and for unread and mention counts. */
import { describe, expect, test } from "bun:test";
import { applyUpdates, countAfterRead, countEvents, mergeMessages, quoteOf, type RoomCounts } from "../../client/src/sdk/message-state.ts";
import type { ChatMessage } from "../../src/protocol/index.ts";

const ME = "u-me";
const msg = (seq: number, extra: Partial<ChatMessage> = {}): ChatMessage => ({
  id: `m${seq}`, room: "general", seq, from: "u-bob", fromName: "bob", body: `body ${seq}`, createdAt: 1_000 + seq, clientId: `c${seq}`, ...extra,
});
const room = (extra: Partial<RoomCounts> = {}): RoomCounts => ({ lastSeq: 3, lastReadSeq: 3, unread: 0, mentions: 0, lastMessage: msg(3), ...extra });
const none = () => undefined;

describe("messages in their current state", () => {
  test("a newer rev replaces the held message; an older or equal one never does", () => {
    const held = [msg(1), msg(2, { body: "edited", editedAt: 5, rev: 5 })];
    const stale = mergeMessages(held, [msg(2, { body: "older edit", editedAt: 4, rev: 4 }), msg(2)]);
    expect(stale[1]!.body).toBe("edited");
    const newer = mergeMessages(held, [msg(2, { body: "", deleted: true, rev: 7 })]);
    expect(newer[1]).toMatchObject({ deleted: true, rev: 7 });
    expect(newer.map((m) => m.seq)).toEqual([1, 2]);
  });

  test("updates only touch held messages, and replies follow the message they quote", () => {
    const reply = msg(3, { replyTo: { id: "m1", seq: 1, from: "u-bob", fromName: "bob", snippet: "body 1" } });
    const held = [msg(1), reply];
    const edited = applyUpdates(held, [msg(1, { body: "fixed typo", editedAt: 9, rev: 9 }), msg(40, { rev: 41 })]);
    expect(edited.map((m) => m.seq)).toEqual([1, 3]);
    expect(edited[1]!.replyTo).toMatchObject({ id: "m1", snippet: "fixed typo" });
    const deleted = applyUpdates(edited, [msg(1, { body: "", deleted: true, rev: 10 })]);
    expect(deleted[1]!.replyTo).toMatchObject({ snippet: "", deleted: true });
    // The quoted message need not be held: its update still reaches the quote.
    const alone = applyUpdates([reply], [msg(1, { body: "", deleted: true, rev: 10 })]);
    expect(alone[0]!.replyTo?.deleted).toBe(true);
  });
});

test("a quote's snippet is cut by code points, never inside an emoji", () => {
  const body = `${"a".repeat(199)}😀😀`;
  expect(quoteOf(msg(1, { body })).snippet).toBe(`${"a".repeat(199)}😀`);
  expect(quoteOf(msg(1, { body: "", deleted: true }))).toMatchObject({ snippet: "", deleted: true });
});

describe("unread and mention counts", () => {
  test("live messages from others count; mentions of me count separately; my own message reads the room", () => {
    let r = countEvents(room(), ME, [msg(4), msg(5, { mentions: [ME] })], [], 5, none);
    expect(r).toMatchObject({ lastSeq: 5, unread: 2, mentions: 1 });
    expect(r.lastMessage?.seq).toBe(5);
    // Delivered again (a resume after `ready` already counted them): no change.
    r = countEvents(r, ME, [msg(4), msg(5, { mentions: [ME] })], [], 5, none);
    expect(r).toMatchObject({ unread: 2, mentions: 1 });
    r = countEvents(r, ME, [msg(6, { from: ME })], [], 6, none);
    expect(r).toMatchObject({ unread: 0, mentions: 0, lastReadSeq: 6 });
  });

  test("a change takes a seq but is no unread message; deleting an unread message uncounts it once", () => {
    const before = room({ lastSeq: 5, unread: 2, mentions: 1 });
    const held = new Map([["m4", msg(4)], ["m5", msg(5, { mentions: [ME] })]]);
    const reacted = countEvents(before, ME, [], [msg(4, { reactions: [{ emoji: "👍", users: ["u-x"] }], rev: 6 })], 6, (id) => held.get(id));
    expect(reacted).toMatchObject({ lastSeq: 6, unread: 2, mentions: 1 });
    const gone = countEvents(reacted, ME, [], [msg(5, { body: "", deleted: true, rev: 7 })], 7, (id) => held.get(id));
    expect(gone).toMatchObject({ lastSeq: 7, unread: 1, mentions: 0 });
    // The same deletion again (a resume's `updates`): already covered by lastSeq.
    expect(countEvents(gone, ME, [], [msg(5, { body: "", deleted: true, rev: 7 })], 7, none)).toMatchObject({ unread: 1 });
  });

  test("an edit that adds a mention of me counts it; a resume counts updates before its new messages", () => {
    const before = room({ lastSeq: 5, lastReadSeq: 3, unread: 2 });
    const held = new Map([["m4", msg(4)]]);
    const edited = countEvents(before, ME, [], [msg(4, { body: "@me", mentions: [ME], editedAt: 1, rev: 6 })], 6, (id) => held.get(id));
    expect(edited).toMatchObject({ unread: 2, mentions: 1 });
    // Resumed after seq 5: message 4 was deleted at 7, message 8 is new (in its current state).
    const resumed = countEvents(before, ME, [msg(8)], [msg(4, { body: "", deleted: true, rev: 7 })], 8, (id) => held.get(id));
    expect(resumed).toMatchObject({ lastSeq: 8, unread: 2 });
  });

  test("reading up to a seq leaves what is held after it; reading to the end clears both counts", () => {
    const r = room({ lastSeq: 9, lastReadSeq: 3, unread: 4, mentions: 1 });
    const held = [msg(4), msg(5, { from: ME }), msg(6, { mentions: [ME] }), msg(7, { deleted: true, body: "" }), msg(8), msg(9)];
    expect(countAfterRead(r, ME, held, 6)).toEqual({ unread: 2, mentions: 0 });
    expect(countAfterRead(r, ME, held, 5)).toEqual({ unread: 3, mentions: 1 });
    expect(countAfterRead(r, ME, held, 9)).toEqual({ unread: 0, mentions: 0 });
  });
});
