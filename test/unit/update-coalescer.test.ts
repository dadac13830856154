import { expect, test } from "bun:test";
import type { ChatMessage, ServerFrameOf } from "../../src/protocol/index.ts";
import { UpdateCoalescer } from "../../src/realtime/update-coalescer.ts";

const msg = (id: string, seq: number, rev: number, body = `${id}@${rev}`): ChatMessage => ({
  id, room: "r", seq, from: "u", fromName: "u", body, createdAt: 0, clientId: id, rev,
});
const updated = (fromSeq: number, toSeq: number, messages: ChatMessage[]): ServerFrameOf<"updated"> => ({ type: "updated", room: "r", fromSeq, toSeq, messages });

function collector() {
  const out: ServerFrameOf<"updated">[] = [];
  const c = new UpdateCoalescer((_topic, frame) => out.push(JSON.parse(frame)), 10_000);
  return { c, out };
}

test("consecutive changes merge into one frame with the latest state of each message, ordered by last change", () => {
  const { c, out } = collector();
  c.add("r:r", updated(5, 5, [msg("a", 1, 5)]));
  c.add("r:r", updated(6, 6, [msg("b", 2, 6)]));
  c.add("r:r", updated(7, 8, [msg("a", 1, 8)]));
  expect(out).toEqual([]);
  c.flush("r:r");
  expect(out).toEqual([updated(5, 8, [msg("b", 2, 6), msg("a", 1, 8)])]);
  c.flush("r:r");
  expect(out).toHaveLength(1);
});

test("a frame that does not continue the held range sends the held one first: a merged range never spans a gap", () => {
  const { c, out } = collector();
  c.add("r:r", updated(5, 6, [msg("a", 1, 6)]));
  c.add("r:r", updated(9, 9, [msg("a", 1, 9)]));
  c.add("r:other", updated(1, 1, [msg("x", 1, 1)]));
  c.flush("r:r");
  c.flush("r:other");
  expect(out.map((f) => [f.room, f.fromSeq, f.toSeq, f.messages.map((m) => m.rev)])).toEqual([
    ["r", 5, 6, [6]],
    ["r", 9, 9, [9]],
    ["r", 1, 1, [1]],
  ]);
});

test("a late older state never replaces a newer one held", () => {
  const { c, out } = collector();
  c.add("r:r", updated(5, 5, [msg("a", 1, 5)]));
  c.add("r:r", updated(6, 6, [msg("a", 1, 4)]));
  c.flush("r:r");
  expect(out[0]!.messages).toEqual([msg("a", 1, 5)]);
});

test("held changes go out by themselves after the tick", async () => {
  const out: string[] = [];
  const c = new UpdateCoalescer((_t, f) => out.push(f), 20);
  c.add("r:r", updated(1, 1, [msg("a", 1, 1)]));
  for (const deadline = Date.now() + 5000; out.length === 0 && Date.now() < deadline; ) await Bun.sleep(5);
  expect(out).toHaveLength(1);
});
