import { describe, expect, test } from "bun:test";
import { newId } from "../../src/domain/ids.ts";
import type { MessageDraft } from "../../src/domain/model.ts";
import type { MessageLog, MessageReader } from "../../src/ports/index.ts";
import { uid, useFixture, type MakeFixture } from "./fixture.ts";

export const draft = (room: string, from: string, extra: Partial<MessageDraft> = {}): MessageDraft => ({
  id: newId(),
  room,
  from,
  fromName: `name-${from}`,
  body: `body ${Math.random()}`,
  clientId: uid("c-"),
  createdAt: Date.now(),
  ...extra,
});

const seqs = (ms: { seq: number }[]) => ms.map((m) => m.seq);
const range = (from: number, to: number) =>
  Array.from({ length: Math.abs(to - from) + 1 }, (_, i) => (from <= to ? from + i : from - i));

/** The MessageReader contract; messages are written through the same backend's log. */
export function messageReaderContract(name: string, make: MakeFixture<{ reader: MessageReader; log: MessageLog }>) {
  describe(`MessageReader contract (${name})`, () => {
    const f = useFixture(make);

    test("an empty room has no history and no latest", async () => {
      const { reader } = f();
      const r = uid("empty-");
      expect(await reader.before(r, undefined, 10)).toEqual([]);
      expect(await reader.after(r, 0, 10)).toEqual([]);
      expect((await reader.latest([r])).size).toBe(0);
    });

    test("history pages newest first, resume oldest first, stored fields round-trip", async () => {
      const { reader, log } = f();
      const r = uid("hist-");
      const written = [];
      for (let i = 0; i < 25; i++) written.push((await log.append(draft(r, i % 2 ? "alice" : "bob", { incomplete: i === 3 }))).message);
      expect(seqs(await reader.before(r, undefined, 10))).toEqual(range(25, 16));
      expect(seqs(await reader.before(r, 16, 10))).toEqual(range(15, 6));
      expect(seqs(await reader.before(r, 6, 10))).toEqual(range(5, 1));
      expect(await reader.before(r, 1, 10)).toEqual([]);
      expect(seqs(await reader.after(r, 0, 10))).toEqual(range(1, 10));
      expect(seqs(await reader.after(r, 20, 10))).toEqual(range(21, 25));
      expect(await reader.after(r, 25, 10)).toEqual([]);
      expect(await reader.after(r, 0, 100)).toEqual(written);
      const fourth = (await reader.after(r, 3, 1))[0]!;
      expect(fourth.incomplete).toBe(true);
      expect((await reader.after(r, 4, 1))[0]!.incomplete).toBeUndefined();
    });

    test("latest gives the newest message of each room that has one", async () => {
      const { reader, log } = f();
      const [a, b, empty] = [uid("la-"), uid("lb-"), uid("le-")];
      for (let i = 0; i < 3; i++) await log.append(draft(a, "u"));
      const lastB = (await log.append(draft(b, "u"))).message;
      const latest = await reader.latest([a, b, empty]);
      expect([...latest.keys()].sort()).toEqual([a, b].sort());
      expect(latest.get(a)?.seq).toBe(3);
      expect(latest.get(b)).toEqual(lastB);
      expect((await reader.latest([])).size).toBe(0);
    });
  });
}
