/** ACTIVITY_LOG=off: the server still works, and no activity event reaches the log (analytics stays empty). */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { api, register, uniqueName, WsClient } from "../support/client.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { eventually } from "./suite.ts";

setDefaultTimeout(60_000);

let server: TestServer;
const admin = uniqueName("adm");
beforeAll(async () => {
  server = await startServer({ env: { ACTIVITY_LOG: "off", ADMIN_USERNAMES: admin } });
});
afterAll(() => server.cleanup());

test("ACTIVITY_LOG=off: signups, connections and messages leave no event in /api/analytics", async () => {
  const adminRes = await api(server.url, "POST", "/api/auth/register", { body: { username: admin, password: "correct horse" } });
  expect(adminRes.status).toBe(201);
  const a = await register(server.url, "off");
  const ws = await WsClient.connect(server.url, a);
  for (let i = 0; i < 3; i++) await ws.sendMessage("general", `quiet marker${i}`);
  // Positive marker: the messages are stored and searchable, so everything they would have emitted is behind us.
  await eventually(
    () => api(server.url, "GET", "/api/search?q=marker2", { token: a.accessToken }),
    (r) => expect(r.body.hits?.length).toBe(1),
  );
  const report = await api(server.url, "GET", "/api/analytics?range=24h", { token: adminRes.body.accessToken as string });
  expect(report.status).toBe(200);
  expect(report.body.totals.messages).toBe(0);
  expect(report.body.totals.signups).toBe(0);
  expect(report.body.totals.peakConnections).toBe(0);
  expect(report.body.eventsByType).toEqual([]);
  ws.close();
});
