/**
 * Attachments over the real REST API, shared by the embedded server (test/files/embedded.test.ts)
 * and two scale-out instances (test/scale-out/files.test.ts). Servers run with FILE_MAX_BYTES=300000.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import sharp from "sharp";
import { api, befriend, register, type Account, WsClient } from "../support/client.ts";

export const FILE_ENV = { FILE_MAX_BYTES: "300000", FILE_QUOTA_BYTES: "1500000", FILE_UPLOADS_PER_HOUR: "40", SEND_RATE_PER_SEC: "1000", SEND_BURST: "1000" };
const MAX = 300_000;

export interface FileDeployment {
  /** Uploads go here. */
  one: string;
  /** Another instance over the same store (the same server when embedded). */
  two: string;
  /** Files in the store (disk entries, GridFS files and chunks): what must not grow when an upload is refused. */
  stored(): Promise<number>;
}

export async function uploadFile(base: string, who: Account, room: string, name: string, body: BodyInit, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/api/files?room=${encodeURIComponent(room)}&name=${encodeURIComponent(name)}`, {
    method: "POST",
    headers: { authorization: `Bearer ${who.accessToken}`, ...headers },
    body,
    duplex: "half",
  } as RequestInit);
  return { status: res.status, body: (await res.json()) as any };
}

export const download = (base: string, id: string, auth: { token?: string; cookie?: string }, extra: Record<string, string> = {}, preview = false) =>
  fetch(`${base}/api/files/${id}${preview ? "/preview" : ""}`, {
    headers: { ...(auth.token ? { authorization: `Bearer ${auth.token}` } : {}), ...(auth.cookie ? { cookie: auth.cookie } : {}), ...extra },
  });

export const pngOf = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 90 } } }).png().toBuffer();

/** Bytes that are no known format and not UTF-8. */
const binaryNoise = (n: number): Uint8Array<ArrayBuffer> => Uint8Array.from({ length: n }, (_, i) => (i * 7919 + 13) % 251 | 0x80);

/** A request body that arrives in pieces with no Content-Length: the limit must hold while streaming. */
const chunked = (total: number, piece = 16_384) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (let sent = 0; sent < total; sent += piece) c.enqueue(new Uint8Array(Math.min(piece, total - sent)).fill(0x41));
      c.close();
    },
  });

/** `messages`: sending with attachments and deleting (needs the deployment's message store to carry attachments and changes). */
export function fileSuite(get: () => FileDeployment, opts: { messages: boolean } = { messages: true }) {
  let alice: Account;
  let bob: Account;
  let carol: Account;
  let dm: string;

  const setup = async () => {
    if (alice) return;
    const { one } = get();
    [alice, bob, carol] = await Promise.all([register(one, "fa"), register(one, "fb"), register(one, "fc")]);
    await befriend(one, alice, bob);
    dm = (await api(one, "POST", `/api/dms/${bob.id}`, { token: alice.accessToken })).body.id;
  };

  test("an image gets its dimensions and a preview that fits 480x480, served inline from either instance with strict headers", async () => {
    await setup();
    const { one, two } = get();
    const up = await uploadFile(one, alice, dm, "holiday.png", await pngOf(1200, 600));
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ name: "holiday.png", type: "image/png", image: { width: 1200, height: 600, previewWidth: 480, previewHeight: 240 } });
    const preview = await download(two, up.body.id, { token: alice.accessToken }, {}, true);
    expect(preview.status).toBe(200);
    const meta = await sharp(Buffer.from(await preview.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([480, 240]);
    expect(preview.headers.get("content-disposition")).toStartWith("inline");
    const original = await download(two, up.body.id, { token: alice.accessToken });
    expect(original.status).toBe(200);
    expect(original.headers.get("content-type")).toBe("image/png");
    expect(original.headers.get("x-content-type-options")).toBe("nosniff");
    expect(original.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
    expect((await original.arrayBuffer()).byteLength).toBe(up.body.size);
  });

  test("an image too large to decode safely, or that does not decode, gets no preview and no dimensions", async () => {
    await setup();
    const { one } = get();
    const bomb = await pngOf(64, 64);
    new DataView(bomb.buffer, bomb.byteOffset).setUint32(16, 30_000); // IHDR width
    new DataView(bomb.buffer, bomb.byteOffset).setUint32(20, 30_000); // IHDR height: 900 megapixels claimed
    const broken = Buffer.concat([(await pngOf(64, 64)).subarray(0, 40), new Uint8Array(2000).fill(9)]);
    for (const [name, body] of [["bomb.png", bomb], ["broken.png", broken]] as const) {
      const up = await uploadFile(one, alice, dm, name, new Uint8Array(body));
      expect(up.status).toBe(201);
      expect(up.body.type).toBe("image/png");
      expect(up.body.image).toBeUndefined();
      expect((await download(one, up.body.id, { token: alice.accessToken }, {}, true)).status).toBe(404);
      expect((await download(one, up.body.id, { token: alice.accessToken })).headers.get("content-disposition")).toStartWith("attachment");
    }
  });

  test("uploaded .html and .svg are never served inline; the type comes from the content, not the name", async () => {
    await setup();
    const { one, two } = get();
    const cases = [
      { name: "page.html", body: "<!doctype html><html><script>alert(1)</script></html>", type: "text/html" },
      { name: "logo.svg", body: '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', type: "image/svg+xml" },
      // HTML named as an image: still HTML, still a download.
      { name: "cat.png", body: "<html><body onload=alert(1)>", type: "text/html" },
    ];
    for (const c of cases) {
      const up = await uploadFile(one, alice, dm, c.name, c.body);
      expect(up.status).toBe(201);
      expect(up.body.type).toBe(c.type);
      expect(up.body.image).toBeUndefined();
      const res = await download(two, up.body.id, { token: alice.accessToken });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-disposition")).toBe(`attachment; filename="${c.name}"; filename*=UTF-8''${c.name}`);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
      expect((await download(two, up.body.id, { token: alice.accessToken }, {}, true)).status).toBe(404); // no preview of a non-image
    }
  });

  test("a renamed executable is detected by its content; text and unknown bytes get safe types; names are sanitised", async () => {
    await setup();
    const { one } = get();
    const elf = new Uint8Array(readFileSync("/bin/true").subarray(0, 20_000));
    const pe = new Uint8Array(4096);
    pe.set([0x4d, 0x5a]); // "MZ"
    pe.set([0x50, 0x45, 0, 0], 0x80); // "PE\0\0" where e_lfanew points
    new DataView(pe.buffer).setUint32(0x3c, 0x80, true);
    const expected: [string, Uint8Array<ArrayBuffer> | string, string][] = [
      ["photo.png", elf, "application/x-elf"],
      ["photo.jpg", pe, "application/x-msdownload"],
      ["notes.exe", "héllo wörld, plain text", "text/plain"],
      ["data.txt", binaryNoise(5000), "application/octet-stream"],
    ];
    for (const [name, body, type] of expected) {
      const up = await uploadFile(one, alice, dm, name, body);
      expect(up.status).toBe(201);
      expect(up.body.type).toBe(type);
      expect(up.body.image).toBeUndefined();
      expect((await download(one, up.body.id, { token: alice.accessToken })).headers.get("content-disposition")).toStartWith("attachment");
    }
    const odd = await uploadFile(one, alice, dm, "../../etc/\u202Epasswd\u0000\n.txt", "x");
    expect(odd.body.name).toBe("passwd.txt");
    expect((await uploadFile(one, alice, dm, `${"a".repeat(500)}.pdf`, "x")).body.name).toMatch(/^a{116}\.pdf$/);
  });

  test("range requests: 206 with exactly the bytes asked for, suffix ranges, 416 past the end", async () => {
    await setup();
    const { one, two } = get();
    const bytes = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 31) % 256);
    const up = await uploadFile(one, alice, dm, "blob.bin", bytes);
    expect(up.status).toBe(201);
    const part = await download(two, up.body.id, { token: alice.accessToken }, { range: "bytes=100000-100099" });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe("bytes 100000-100099/200000");
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(bytes.subarray(100_000, 100_100));
    const tail = await download(two, up.body.id, { token: alice.accessToken }, { range: "bytes=-10" });
    expect(tail.status).toBe(206);
    expect(new Uint8Array(await tail.arrayBuffer())).toEqual(bytes.subarray(199_990));
    const open = await download(one, up.body.id, { token: alice.accessToken }, { range: "bytes=199995-" });
    expect(open.headers.get("content-range")).toBe("bytes 199995-199999/200000");
    const past = await download(one, up.body.id, { token: alice.accessToken }, { range: "bytes=200000-" });
    expect(past.status).toBe(416);
    expect(past.headers.get("content-range")).toBe("bytes */200000");
    expect(past.headers.get("accept-ranges")).toBeNull();
  });

  test("over the size limit: 413 payload_too_large, declared or streamed, and nothing is stored", async () => {
    await setup();
    const { one, stored } = get();
    const before = await stored();
    const declared = await uploadFile(one, alice, dm, "big.bin", new Uint8Array(MAX + 1));
    expect(declared.status).toBe(413);
    expect(declared.body.error.code).toBe("payload_too_large");
    const streamed = await uploadFile(one, alice, dm, "big.bin", chunked(MAX + 50_000));
    expect(streamed.status).toBe(413);
    expect(streamed.body.error.code).toBe("payload_too_large");
    expect(await stored()).toBe(before);
    // Exactly the limit is fine.
    expect((await uploadFile(one, alice, dm, "max.bin", chunked(MAX))).status).toBe(201);
  });

  test("uploads: members only, the room must be valid, an empty file is refused", async () => {
    await setup();
    const { one } = get();
    expect((await uploadFile(one, carol, dm, "x.txt", "hi")).status).toBe(403);
    expect((await uploadFile(one, alice, "no such room!", "x.txt", "hi")).status).toBe(400);
    expect((await uploadFile(one, alice, dm, "x.txt", "")).status).toBe(400);
    const anon = await fetch(`${one}/api/files?room=${dm}&name=x.txt`, { method: "POST", body: "hi" });
    expect(anon.status).toBe(401);
  });

  test("hostile ids, names and ranges get clear answers, never a 500", async () => {
    await setup();
    const { one } = get();
    for (const id of ["..%2F..%2Fetc%2Fpasswd", "%00", "x".repeat(3000), "a.preview", "%E2%80%AE"]) {
      const res = await download(one, id, { token: alice.accessToken });
      expect(res.status).toBe(404);
      expect((await res.json()).error.code).toBe("not_found");
    }
    expect((await uploadFile(one, alice, dm, "x".repeat(1025), "x")).status).toBe(400);
    expect((await fetch(`${one}/api/files?room=${dm}`, { method: "POST", headers: { authorization: `Bearer ${alice.accessToken}` }, body: "x" })).status).toBe(400);
    expect((await uploadFile(one, alice, dm, "///", "x")).body.name).toBe("file");
    const up = await uploadFile(one, alice, dm, "r.txt", "0123456789");
    for (const range of ["bytes=abc", "bytes=5-2", "items=0-1", "bytes=0-1,4-5"]) {
      const res = await download(one, up.body.id, { token: alice.accessToken }, { range });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe("0123456789");
    }
  });

  test("an unsent upload is its owner's alone; the owner may delete it", async () => {
    await setup();
    const { one, two } = get();
    const up = await uploadFile(one, alice, dm, "draft.txt", "not sent yet");
    expect((await download(two, up.body.id, { token: bob.accessToken })).status).toBe(404);
    expect((await download(two, up.body.id, { token: carol.accessToken })).status).toBe(404);
    expect((await download(two, up.body.id, {})).status).toBe(401);
    expect((await api(two, "DELETE", `/api/files/${up.body.id}`, { token: bob.accessToken })).status).toBe(404);
    expect((await api(two, "DELETE", `/api/files/${up.body.id}`, { token: alice.accessToken })).status).toBe(204);
    expect((await download(one, up.body.id, { token: alice.accessToken })).status).toBe(404);
  });

  test("the files cookie authorises downloads (for <img src>) but never an upload or a delete", async () => {
    await setup();
    const { one, two } = get();
    const up = await uploadFile(one, alice, dm, "c.txt", "cookie");
    const set = await fetch(`${two}/api/auth/file-cookie`, { method: "POST", headers: { authorization: `Bearer ${alice.accessToken}` } });
    expect(set.status).toBe(204);
    const header = set.headers.get("set-cookie") ?? "";
    expect(header).toContain("HttpOnly");
    expect(header).toContain("SameSite=Strict");
    expect(header).toContain("Path=/api/files");
    const cookie = header.split(";")[0]!;
    const res = await download(one, up.body.id, { cookie });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("cookie");
    expect((await api(one, "DELETE", `/api/files/${up.body.id}`, { cookie })).status).toBe(401);
    const viaCookie = await fetch(`${one}/api/files?room=${dm}&name=x.txt`, { method: "POST", headers: { cookie }, body: "x" });
    expect(viaCookie.status).toBe(401);
  });

  if (opts.messages) test("sending: a message carries its uploads; members download them from either instance, a non-member never, even with the URL", async () => {
    await setup();
    const { one, two } = get();
    const img = await uploadFile(one, alice, dm, "pic.png", await pngOf(640, 480));
    const doc = await uploadFile(one, alice, dm, "notes.txt", "meeting notes");
    const a = await WsClient.connect(one, alice);
    const b = await WsClient.connect(two, bob);
    try {
      const clientId = crypto.randomUUID();
      const ack = await a.request({ type: "send", room: dm, body: "", clientId, attachments: [img.body.id, doc.body.id] }, "ack");
      const seen = await b.next("message", (m) => m.id === ack.id);
      expect(seen.attachments).toEqual([img.body, doc.body]);
      // A retry of the same send is the same message, not a refusal of already-used files.
      const retry = await a.request({ type: "send", room: dm, body: "", clientId, attachments: [img.body.id, doc.body.id] }, "ack");
      expect(retry).toMatchObject({ id: ack.id, duplicate: true });
      // Readable by the room the moment the message arrives (not only once it is bound, which follows).
      expect((await download(two, doc.body.id, { token: bob.accessToken })).status).toBe(200);
      expect(await (await download(one, doc.body.id, { token: bob.accessToken })).text()).toBe("meeting notes");
      const stranger = await download(two, img.body.id, { token: carol.accessToken });
      expect(stranger.status).toBe(403);
      expect((await stranger.json()).error.code).toBe("forbidden");
      expect((await download(one, img.body.id, { token: carol.accessToken }, {}, true)).status).toBe(403);
      // Revalidation checks membership first: a cached copy's ETag gets a stranger nothing either.
      const etag = (await download(two, img.body.id, { token: bob.accessToken })).headers.get("etag")!;
      expect((await download(two, img.body.id, { token: bob.accessToken }, { "if-none-match": etag })).status).toBe(304);
      expect((await download(two, img.body.id, { token: carol.accessToken }, { "if-none-match": etag })).status).toBe(403);

      // The same upload cannot ride on another message, someone else's upload is not yours to send,
      // and a file uploaded for one room cannot be posted in another.
      const again = await a.request({ type: "send", room: dm, body: "again", clientId: crypto.randomUUID(), attachments: [doc.body.id] }, "ack").catch((e: Error) => e.message);
      expect(again).toStartWith("bad_request");
      const bobs = await uploadFile(two, bob, dm, "bob.txt", "bob's");
      const stolen = await a.request({ type: "send", room: dm, body: "mine", clientId: crypto.randomUUID(), attachments: [bobs.body.id] }, "ack").catch((e: Error) => e.message);
      expect(stolen).toStartWith("not_found");
      const elsewhere = await uploadFile(one, alice, "general", "pub.txt", "public");
      const wrongRoom = await a.request({ type: "send", room: dm, body: "x", clientId: crypto.randomUUID(), attachments: [elsewhere.body.id] }, "ack").catch((e: Error) => e.message);
      expect(wrongRoom).toStartWith("forbidden");
    } finally {
      a.close();
      b.close();
    }
  });

  if (opts.messages) {
    test("deleting the message deletes its files: 404 after, and gone from the store", async () => {
      await setup();
      const { one, two, stored } = get();
      const before = await stored();
      const img = await uploadFile(one, alice, dm, "gone.png", await pngOf(800, 800));
      expect(await stored()).toBeGreaterThan(before);
      const a = await WsClient.connect(one, alice);
      try {
        const ack = await a.request({ type: "send", room: dm, body: "see this", clientId: crypto.randomUUID(), attachments: [img.body.id] }, "ack");
        expect((await download(two, img.body.id, { token: bob.accessToken }, {}, true)).status).toBe(200);
        await a.request({ type: "delete", room: dm, id: ack.id }, "ack");
        // Erasure follows the ack: wait until the file, its preview and every stored piece are gone.
        const gone = async () =>
          (await download(two, img.body.id, { token: alice.accessToken })).status === 404 &&
          (await download(one, img.body.id, { token: bob.accessToken }, {}, true)).status === 404 &&
          (await stored()) === before;
        const deadline = Date.now() + 10_000;
        while (!(await gone())) {
          if (Date.now() > deadline) throw new Error("the deleted message's file is still stored or served");
          await Bun.sleep(50);
        }
      } finally {
        a.close();
      }
    });
  }

  test("a user's stored bytes are bounded by FILE_QUOTA_BYTES (409) and uploads per hour by FILE_UPLOADS_PER_HOUR (429)", async () => {
    const { one } = get();
    const [erin, frank] = await Promise.all([register(one, "fe"), register(one, "ff")]);
    for (let i = 0; i < 5; i++) expect((await uploadFile(one, erin, "general", "a.bin", new Uint8Array(MAX).fill(1))).status).toBe(201);
    const over = await uploadFile(one, erin, "general", "b.bin", "one byte too many");
    expect(over.status).toBe(409);
    expect(over.body.error.code).toBe("conflict");
    for (let i = 0; i < 40; i++) expect((await uploadFile(one, frank, "general", "c.txt", "small")).status).toBe(201);
    const limited = await uploadFile(one, frank, "general", "d.txt", "small");
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe("rate_limited");
  });

  return { setup: () => setup().then(() => ({ alice, bob, carol, dm })) };
}

/** Against a deployment run with EXPIRY_ENV. */
export const EXPIRY_ENV = { UPLOAD_TTL_SEC: "1", UPLOAD_SWEEP_SEC: "1" };

export function expirySuite(get: () => FileDeployment & { logs: () => string[] }) {
  test("an upload never sent is removed after UPLOAD_TTL_SEC, bytes and all, by the sweeper thread", async () => {
    const { one, two, stored, logs } = get();
    const dave = await register(one, "fd");
    const before = await stored();
    const up = await uploadFile(one, dave, "general", "forgotten.png", await pngOf(600, 600));
    expect(up.status).toBe(201);
    expect(await stored()).toBeGreaterThan(before);
    const deadline = Date.now() + 30_000;
    while ((await download(two, up.body.id, { token: dave.accessToken })).status !== 404) {
      if (Date.now() > deadline) throw new Error("the expired upload is still served");
      await Bun.sleep(200);
    }
    expect(await stored()).toBe(before);
    // The sweeper reports once its pass is over, which may be just after the 404.
    while (!logs().some((l) => l.includes('"msg":"expired uploads removed"'))) {
      if (Date.now() > deadline) throw new Error("the sweeper never reported the removal");
      await Bun.sleep(50);
    }
  }, 40_000);

}

export { WsClient };
