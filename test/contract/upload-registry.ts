import { describe, expect, test } from "bun:test";
import type { Upload, UploadRegistry } from "../../src/ports/index.ts";
import { uid, useFixture, type MakeFixture } from "./fixture.ts";

const upload = (over: Partial<Upload> = {}): Upload => ({
  id: uid("u"),
  owner: "o",
  room: "general",
  name: "a.png",
  size: 100,
  type: "image/png",
  image: { width: 800, height: 600, previewWidth: 480, previewHeight: 360 },
  previewSize: 20,
  createdAt: 1000,
  claimed: false,
  messageId: null,
  ...over,
});

/** The UploadRegistry contract: every adapter must pass it unchanged. */
export function uploadRegistryContract(name: string, make: MakeFixture<{ uploads: UploadRegistry }>) {
  describe(`UploadRegistry contract (${name})`, () => {
    const f = useFixture(make);

    test("add, get back exactly, usage counts files and previews of the owner", async () => {
      const { uploads } = f();
      const owner = uid("o");
      const a = upload({ owner });
      const b = upload({ owner, image: undefined, previewSize: null, type: "text/plain", size: 7 });
      delete b.image;
      await uploads.add(a);
      await uploads.add(b);
      expect(await uploads.get(a.id)).toEqual(a);
      expect(await uploads.get(b.id)).toEqual(b);
      expect(await uploads.get(uid("none"))).toBeNull();
      expect(await uploads.usage(owner)).toBe(100 + 20 + 7);
      expect(await uploads.usage(uid("nobody"))).toBe(0);
    });

    test("claim is all or none, one send at a time; the same claim passes again, even after bind", async () => {
      const { uploads } = f();
      const [a, b, c] = [upload(), upload(), upload()];
      for (const u of [a, b, c]) await uploads.add(u);
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => uploads.claim([a.id, b.id], `send-${i}`)));
      const winners = results.filter((r) => r.size === 2);
      expect(winners).toHaveLength(1);
      const winner = `send-${results.indexOf(winners[0]!)}`;
      // A send that wants a held upload gets nothing new: c stays free.
      expect((await uploads.claim([c.id, a.id], "other")).size).toBeLessThan(2);
      expect((await uploads.claim([c.id], "third")).size).toBe(1);
      expect((await uploads.get(a.id))?.claimed).toBe(true);
      expect((await uploads.get(c.id))?.claimed).toBe(true);
      await uploads.bind([a.id, b.id], "m1");
      expect((await uploads.claim([a.id, b.id], winner)).size).toBe(2);
      expect((await uploads.get(a.id))?.messageId).toBe("m1");
      expect((await uploads.byMessage("m1")).map((u) => u.id).sort()).toEqual([a.id, b.id].sort());
    });

    test("expired lists uploads never reserved, created before a time, oldest first; remove is idempotent", async () => {
      const { uploads } = f();
      const base = 5_000_000 + Math.floor(Math.random() * 1e9);
      const old = upload({ createdAt: base + 1 });
      const older = upload({ createdAt: base });
      const sent = upload({ createdAt: base });
      const fresh = upload({ createdAt: base + 100 });
      const sending = upload({ createdAt: base }); // reserved, never bound
      for (const u of [old, older, sent, fresh, sending]) await uploads.add(u);
      await uploads.claim([sending.id], "t");
      await uploads.claim([sent.id], "s");
      await uploads.bind([sent.id], uid("m"));
      const expired = (await uploads.expired(base + 50, 1000)).filter((u) => [old, older, sent, fresh, sending].some((x) => x.id === u.id));
      expect(expired.map((u) => u.id)).toEqual([older.id, old.id]);
      await uploads.remove(old.id);
      await uploads.remove(old.id);
      expect(await uploads.get(old.id)).toBeNull();
    });
  });
}
