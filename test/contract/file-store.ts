import { describe, expect, test } from "bun:test";
import type { FileStore } from "../../src/ports/index.ts";
import { uid, useFixture, type MakeFixture } from "./fixture.ts";

const streamOf = (...parts: Uint8Array[]) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (const p of parts) c.enqueue(p);
      c.close();
    },
  });
const bytes = async (s: ReadableStream<Uint8Array> | null) => (s ? new Uint8Array(await new Response(s).arrayBuffer()) : null);
/** Larger than one GridFS chunk (255 KiB), so ranges cross chunk boundaries. */
const big = Uint8Array.from({ length: 600_000 }, (_, i) => (i * 131) % 251);

/** The FileStore contract: every adapter must pass it unchanged. */
export function fileStoreContract(name: string, make: MakeFixture<{ store: FileStore }>) {
  describe(`FileStore contract (${name})`, () => {
    const f = useFixture(make);

    test("put streams the bytes in and says how many; get returns them, whole or by range", async () => {
      const { store } = f();
      const key = uid("f");
      expect(await store.put(key, streamOf(big.subarray(0, 100_000), big.subarray(100_000)))).toBe(big.length);
      expect(await bytes(await store.get(key))).toEqual(big);
      expect(await bytes(await store.get(key, { start: 261_000, end: 262_199 }))).toEqual(big.subarray(261_000, 262_200));
      expect(await bytes(await store.get(key, { start: big.length - 1, end: big.length - 1 }))).toEqual(big.subarray(-1));
    });

    test("a stream that fails part way leaves nothing under its key", async () => {
      const { store } = f();
      const key = uid("f");
      let sent = 0;
      const failing = new ReadableStream<Uint8Array>({
        pull(c) {
          if (sent >= 400_000) return c.error(new Error("client went away"));
          c.enqueue(big.subarray(sent, sent + 100_000));
          sent += 100_000;
        },
      });
      await expect(store.put(key, failing)).rejects.toThrow("client went away");
      expect(await store.get(key)).toBeNull();
      // The key is free again afterwards.
      expect(await store.put(key, streamOf(new Uint8Array([1, 2, 3])))).toBe(3);
    });

    test("delete removes the file and is idempotent; a missing key reads as null", async () => {
      const { store } = f();
      const key = uid("f");
      await store.put(key, streamOf(big));
      await store.delete(key);
      await store.delete(key);
      expect(await store.get(key)).toBeNull();
      expect(await store.get(uid("missing"))).toBeNull();
    });
  });
}
