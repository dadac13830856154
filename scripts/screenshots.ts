/**
 * Refreshes the README's screenshots on purpose (`npm run screenshots`); tests never write them.
 * Builds the client, starts a throwaway server, fills it with a small team's conversations through the
 * real API and socket, and photographs the web client: desktop light, desktop dark, phone.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { api, befriend, WsClient, type Account } from "../test/support/client.ts";
import { startServer } from "../test/support/server.ts";
import { DESKTOP, launch, logIn, openDm, PASSWORD, PHONE, type Scheme, type Viewport } from "../test/e2e/browser.ts";

const ROOT = join(import.meta.dir, "..");
const OUT = join(ROOT, "docs", "screenshots");

async function account(url: string, username: string): Promise<Account> {
  const res = await api(url, "POST", "/api/auth/register", { body: { username, password: PASSWORD } });
  if (res.status !== 201) throw new Error(`register ${username}: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.user.id, username, password: PASSWORD, accessToken: res.body.accessToken, refreshCookie: "" };
}

async function seed(url: string) {
  const [alice, bob, carol, dave] = await Promise.all(["alice", "bob", "carol", "dave"].map((n) => account(url, n)));
  for (const other of [bob!, carol!, dave!]) await befriend(url, alice!, other);
  await befriend(url, bob!, carol!);
  const ws = Object.fromEntries(await Promise.all([alice!, bob!, carol!, dave!].map(async (a) => [a.username, await WsClient.connect(url, a)] as const)));
  const say = (who: string, room: string, body: string) => ws[who]!.sendMessage(room, body);

  await say("carol", "general", "Morning all! The new build is on staging.");
  await say("dave", "general", "Nice, I'll have a look after standup.");
  const group = await api(url, "POST", "/api/groups", { token: alice!.accessToken, body: { name: "Design review", members: [bob!.id, carol!.id] } });
  const room = group.body.id as string;
  await say("alice", room, "Agenda for Thursday: the phone layout and the new sidebar.");
  await say("carol", room, "I'll bring the contrast numbers for dark mode.");
  const dm = (await api(url, "POST", `/api/dms/${bob!.id}`, { token: alice!.accessToken })).body.id as string;
  const ask = await say("bob", dm, "Do you have five minutes before lunch?");
  // The message lifecycle on show: a reply, reactions, an edit and a mention.
  const sure = await ws.alice!.request({ type: "send", room: dm, body: "Sure, call me when you're free.", clientId: crypto.randomUUID(), replyTo: ask.id }, "ack");
  await ws.bob!.request({ type: "react", room: dm, id: sure.id, emoji: "👍", on: true }, "ack");
  await ws.alice!.request({ type: "react", room: dm, id: sure.id, emoji: "👍", on: true }, "ack");
  const later = await say("bob", dm, "Great, in 10 min then.");
  await ws.bob!.request({ type: "edit", room: dm, id: later.id, body: "Great, in ten minutes then @alice. I'll share the **release notes** too.", clientId: crypto.randomUUID() }, "ack");
  await say("dave", "general", "Staging looks good to me 👍");
  return { ws: Object.values(ws), dmPeer: "bob" };
}

async function shoot(browser: Browser, url: string, file: string, viewport: Viewport, colorScheme: Scheme, listOnly = false) {
  const ctx = await browser.newContext({ viewport, colorScheme, deviceScaleFactor: viewport === PHONE ? 2 : 1 });
  const page = await ctx.newPage();
  await page.goto(url);
  await logIn(page, "alice");
  if (viewport === PHONE) await page.getByRole("button", { name: "Chats" }).click();
  if (!listOnly) {
    await openDm({ ctx, page, name: "alice" }, "bob");
    await page.getByTestId("messages").getByText("release notes").waitFor();
  }
  await page.mouse.move(0, 0); // no hover: a message's actions would show
  await page.waitForTimeout(300); // let the last layout settle before the photo
  await page.screenshot({ path: join(OUT, file) });
  await ctx.close();
  console.log(`wrote docs/screenshots/${file}`);
}

const build = Bun.spawnSync(["npm", "run", "build:client"], { cwd: ROOT, stdout: "inherit", stderr: "inherit" });
if (build.exitCode !== 0) process.exit(1);
mkdirSync(OUT, { recursive: true });
const server = await startServer({ env: { SERVE_CLIENT: "true" } });
const browser = await launch();
try {
  const { ws } = await seed(server.url);
  await shoot(browser, server.url, "desktop-light.png", DESKTOP, "light");
  await shoot(browser, server.url, "desktop-dark.png", DESKTOP, "dark");
  await shoot(browser, server.url, "phone-list.png", PHONE, "light", true);
  await shoot(browser, server.url, "phone.png", PHONE, "light");
  for (const w of ws) w.close();
} finally {
  await browser.close();
  await server.cleanup();
}
