/** Embedded durability: what was acked survives kill -9; retries after a crash never double-store. */
import { afterAll, expect, test } from "bun:test";
import { api, register, sleep, WsClient } from "../support/client.ts";
import { startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
afterAll(() => server?.cleanup());

test("kill -9 during a burst of sends: every acked message is there after restart, nothing stored twice", async () => {
  server = await startServer({ env: { SEND_RATE_PER_SEC: "100000", SEND_BURST: "100000" } });
  const users = await Promise.all(Array.from({ length: 4 }, () => register(server.url, "dur")));
  const clients = await Promise.all(users.map((u) => WsClient.connect(server.url, u)));
  const acked = new Map<string, { id: string; seq: number }>();
  const attempted: { user: number; clientId: string; body: string }[] = [];

  let crashed = false;
  const bursts = clients.map(async (c, i) => {
    for (let n = 0; !crashed && n < 100_000; n++) {
      const clientId = `u${i}-${n}`;
      const body = `burst ${i} ${n}`;
      attempted.push({ user: i, clientId, body });
      // Pipelined: up to 50 unacked sends per socket.
      const p = c.sendMessage("general", body, clientId).then(
        (ack) => void acked.set(clientId, { id: ack.id, seq: ack.seq }),
        () => {},
      );
      if (n % 50 === 49) await p;
    }
  });
  await sleep(1500);
  crashed = true;
  await server.crash();
  await Promise.race([Promise.all(bursts), sleep(2000)]);
  expect(acked.size).toBeGreaterThan(100);

  server = await server.restart();
  const stored = new Map<number, { id: string; clientId: string }>();
  let before: number | null | undefined;
  do {
    const q = before ? `?limit=100&before=${before}` : "?limit=100";
    const page = await api(server.url, "GET", `/api/conversations/general/messages${q}`, { token: users[0]!.accessToken });
    expect(page.status).toBe(200);
    for (const m of page.body.messages) stored.set(m.seq, { id: m.id, clientId: m.clientId });
    before = page.body.nextBefore;
  } while (before);

  for (const [clientId, ack] of acked) expect(stored.get(ack.seq)).toEqual({ id: ack.id, clientId });
  const seqs = [...stored.keys()].sort((a, b) => a - b);
  expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
  const clientIds = [...stored.values()].map((m) => m.clientId);
  expect(new Set(clientIds).size).toBe(clientIds.length);

  // Clients retry everything they never saw acked, with the same clientIds.
  const retried = await Promise.all(users.map((u) => WsClient.connect(server.url, u)));
  const unacked = attempted.filter((a) => !acked.has(a.clientId));
  const results = await Promise.all(unacked.map((a) => retried[a.user]!.sendMessage("general", a.body, a.clientId)));
  const byClient = new Map([...stored.values()].map((m) => [m.clientId, m.id]));
  results.forEach((ack, i) => {
    const original = byClient.get(unacked[i]!.clientId);
    // Stored before the crash but never acked: the retry gets the original, not a copy.
    if (original) expect(ack).toMatchObject({ id: original, duplicate: true });
    else expect(ack.duplicate).toBe(false);
  });
  const total = stored.size + results.filter((r) => !r.duplicate).length;
  const last = await api(server.url, "GET", "/api/conversations/general/messages?limit=1", { token: users[0]!.accessToken });
  expect(last.body.messages[0].seq).toBe(total);
  for (const c of retried) c.close();
}, 60_000);
