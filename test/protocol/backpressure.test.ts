import { afterAll, beforeAll, expect, test } from "bun:test";
import { api, register, sleep, WsClient } from "../support/client.ts";
import { startServer, type TestServer } from "../support/server.ts";

/** Upgrades, prints the status line, then never reads again. */
const SILENT_PEER = `
import socket, sys, time, base64, os
port, ticket = int(sys.argv[1]), sys.argv[2]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", port))
key = base64.b64encode(os.urandom(16)).decode()
s.sendall(f"GET /ws?ticket={ticket} HTTP/1.1\\r\\nHost: x\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Key: {key}\\r\\nSec-WebSocket-Version: 13\\r\\n\\r\\n".encode())
print(s.recv(12).decode(), flush=True)
time.sleep(90)
`;

const openSockets = async () => {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(/^chat_open_sockets (\d+)/m.exec(text)?.[1]);
};

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ env: { SEND_RATE_PER_SEC: "100000", SEND_BURST: "100000", WS_BACKPRESSURE_BYTES: "262144" } });
});
afterAll(() => server.cleanup());

test("a reader that stops reading is cut off at the backpressure limit; others are unaffected", async () => {
  const reader = await register(server.url, "slow");
  const writer = await register(server.url, "w");
  const fast = await register(server.url, "fast");
  const t = await api(server.url, "POST", "/api/auth/ws-ticket", { token: reader.accessToken });
  // A peer that upgrades and then never reads: kernel buffers fill, then the server's send queue.
  // (A separate process, so nothing in this test runtime drains the socket behind our back.)
  const peer = Bun.spawn(["python3", "-c", SILENT_PEER, String(server.port), t.body.ticket], { stdout: "pipe" });
  const reader_ = peer.stdout.getReader();
  const first = new TextDecoder().decode((await reader_.read()).value);
  expect(first).toContain("101");
  await sleep(200);

  const w = await WsClient.connect(server.url, writer);
  const f = await WsClient.connect(server.url, fast);
  expect(await openSockets()).toBe(3);
  let closed = false;
  const body = "y".repeat(3900);
  let sent = 0;
  for (let round = 0; round < 100 && !closed; round++) {
    await Promise.all(Array.from({ length: 100 }, () => w.sendMessage("general", body)));
    sent += 100;
    f.drain("message");
    closed = (await openSockets()) === 2;
  }
  expect(closed).toBe(true);
  expect(w.closeCode).toBeNull();
  expect(f.closeCode).toBeNull();
  // The fast reader still gets new messages after the slow one was dropped.
  const ack = await w.sendMessage("general", "still flowing");
  expect((await f.next("message", (m) => m.seq === ack.seq)).body).toBe("still flowing");
  expect(sent).toBeGreaterThan(0);
  peer.kill();
  w.close();
  f.close();
}, 90_000);
