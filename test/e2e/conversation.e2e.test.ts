/**
 * The conversation pane in a real headless Chromium against a real server: where a room opens, what
 * gets marked read, typing, "Seen", the composer's limits, Markdown, emoji, grouping and a long
 * history. Other participants are often plain protocol clients (test/support/client.ts), so each test
 * controls exactly what the browser user receives.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { api, befriend, register, sleep, WsClient, type Account } from "../support/client.ts";
import { enginesRequired } from "../support/engines.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { haveChromium, launch } from "./browser.ts";

const run = haveChromium() || enginesRequired(); // in CI a missing browser is a failure, not a skip
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const VIEWPORTS = [["desktop", DESKTOP], ["phone", PHONE]] as const;
const dmId = (a: Account, b: Account) => `dm:${[a.id, b.id].sort().join(":")}`;

describe.skipIf(!run)("conversation pane", () => {
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const sockets: WsClient[] = [];

  beforeAll(async () => {
    const build = Bun.spawnSync(["npm", "run", "build:client"], { cwd: join(import.meta.dir, "..", ".."), stdout: "pipe", stderr: "pipe" });
    if (build.exitCode !== 0) throw new Error(`client build failed: ${build.stderr}`);
    // Short typing TTL to see expiry; a send budget high enough to seed long histories.
    server = await startServer({ env: { SERVE_CLIENT: "true", TYPING_TTL_MS: "1500", SEND_RATE_PER_SEC: "5000", SEND_BURST: "5000" } });
    browser = await launch();
  }, 120_000);
  afterAll(async () => {
    for (const ws of sockets) ws.close();
    await browser?.close();
    await server?.cleanup();
  });

  /** Two friends with a DM between them, created over the API. */
  const pair = async (base = server.url) => {
    const [a, b] = [await register(base, "ann"), await register(base, "ben")];
    await befriend(base, a, b);
    await api(base, "POST", `/api/dms/${b.id}`, { token: a.accessToken });
    return { a, b, room: dmId(a, b) };
  };
  const socket = async (who: Account, base = server.url) => {
    const ws = await WsClient.connect(base, who);
    sockets.push(ws);
    return ws;
  };
  /** Sends `count` messages `${prefix}${n}` quickly (acks awaited in batches). */
  const seed = async (ws: WsClient, room: string, count: number, prefix = "m") => {
    for (let start = 1; start <= count; start += 250) {
      const batch = Array.from({ length: Math.min(250, count - start + 1) }, (_, i) => ws.sendMessage(room, `${prefix}${start + i}`));
      await Promise.all(batch);
    }
  };
  /** `reader` reads up to `seq`; resolves once the other side got the receipt. */
  const readUpTo = async (reader: WsClient, readerId: string, other: WsClient, room: string, seq: number) => {
    reader.send({ type: "read", room, seq });
    await other.next("read", (r) => r.userId === readerId && r.seq === seq);
  };
  /** A DM open in a's browser, with b on a protocol socket. */
  const dmOpen = async (viewport = DESKTOP) => {
    const { a, b, room } = await pair();
    const wb = await socket(b);
    const page = await openAs(a, viewport);
    await openRoom(page, room, b.username);
    return { a, b, room, wb, page };
  };
  /** A DM of `count` messages from b, all read by a, opened in a's browser at the newest. */
  const readHistory = async (count: number) => {
    const { a, b, room } = await pair();
    const [wa, wb] = [await socket(a), await socket(b)];
    await seed(wb, room, count);
    await readUpTo(wa, a.id, wb, room, count);
    const page = await openAs(a);
    await openRoom(page, room, b.username);
    await page.waitForFunction((seq) => document.querySelector(`[data-testid=message][data-seq="${seq}"]`) !== null, count);
    return { room, wb, page };
  };
  const roomOf = async (who: Account, room: string) =>
    (await api(server.url, "GET", "/api/conversations", { token: who.accessToken })).body.conversations.find((c: { id: string }) => c.id === room);

  /** A browser signed in as `who` (the refresh cookie is handed over, as after a login). */
  const openAs = async (who: Account, viewport: { width: number; height: number } = DESKTOP, base = server.url) => {
    const ctx = await browser.newContext({ viewport });
    contexts.push(ctx);
    const [name, ...value] = who.refreshCookie.split("=");
    await ctx.addCookies([{ name: name!, value: value.join("="), domain: "127.0.0.1", path: "/api/auth", httpOnly: true, sameSite: "Strict" }]);
    const page = await ctx.newPage();
    await page.goto(base);
    await page.getByTestId("composer").waitFor({ timeout: 15_000 });
    return page;
  };
  /** Opens a conversation from the sidebar (on a phone the list may be behind a back button). */
  const openRoom = async (page: Page, room: string, label: string) => {
    const nav = page.locator('nav[aria-label="Conversations"]');
    if (!(await nav.isVisible())) await page.getByTestId("room-bar").getByRole("button", { name: /back|chats/i }).first().click();
    const byId = nav.locator(`[data-room="${room}"]`);
    await nav.getByText(label).first().waitFor({ timeout: 10_000 });
    if (await byId.count()) await byId.first().click();
    else await nav.locator("button", { hasText: label }).first().click();
    await page.getByRole("heading", { name: new RegExp(label) }).waitFor({ timeout: 10_000 });
    await page.getByTestId("composer").waitFor();
  };
  const messages = (page: Page) => page.getByTestId("messages");
  /** True when the element is fully inside the message list's visible area. */
  const inView = (page: Page, seqOrText: number | string) =>
    page.evaluate((key) => {
      const list = document.querySelector("[data-testid=messages]")!.getBoundingClientRect();
      const el = typeof key === "number"
        ? document.querySelector(`[data-testid=message][data-seq="${key}"]`)
        : Array.from(document.querySelectorAll("[data-testid=message]")).find((m) => m.textContent?.includes(key));
      if (!el) return false;
      const r = el.getBoundingClientRect();
      return r.top >= list.top - 1 && r.bottom <= list.bottom + 1;
    }, seqOrText);
  const typingText = (page: Page) => page.getByTestId("typing");

  test("typing clears on send, on typing off, and on expiry", async () => {
    const { a, b, room } = await pair();
    const [pa, pb] = [await openAs(a), await openAs(b)];
    await openRoom(pa, room, b.username);
    await openRoom(pb, room, a.username);

    // On send.
    await pb.getByTestId("composer").pressSequentially("hello", { delay: 20 });
    await typingText(pa).filter({ hasText: `${b.username} is typing` }).waitFor({ timeout: 5000 });
    await pb.getByTestId("composer").press("Enter");
    await pa.getByTestId("message").filter({ hasText: "hello" }).waitFor();
    await pa.waitForFunction(() => document.querySelector("[data-testid=typing]")?.textContent === "", null, { timeout: 3000 });

    // On `typing off` (the draft cleared).
    await pb.getByTestId("composer").pressSequentially("abc", { delay: 20 });
    await typingText(pa).filter({ hasText: "is typing" }).waitFor({ timeout: 5000 });
    await pb.getByTestId("composer").fill("");
    await pa.waitForFunction(() => document.querySelector("[data-testid=typing]")?.textContent === "", null, { timeout: 3000 });

    // On expiry: a client that says "typing" and then vanishes without a word.
    const ws = await socket(b);
    ws.send({ type: "typing", room, on: true });
    await typingText(pa).filter({ hasText: "is typing" }).waitFor({ timeout: 5000 });
    await pa.waitForFunction(() => document.querySelector("[data-testid=typing]")?.textContent === "", null, { timeout: 6000 });
  }, 60_000);

  test("a DM with 60 unread opens at the first unread under a divider and marks read only what was shown", async () => {
    const { a, b, room } = await pair();
    const wb = await socket(b);
    await seed(wb, room, 5, "old");
    await readUpTo(await socket(a), a.id, wb, room, 5);
    await seed(wb, room, 60, "new");
    expect((await roomOf(a, room)).unread).toBe(60);

    const page = await openAs(a);
    await openRoom(page, room, b.username);
    const divider = page.getByTestId("unread-divider");
    await divider.waitFor();
    // The divider sits right above the first unread message, which is on screen; older ones are loaded above it.
    expect(await page.locator("[data-testid=message-row]", { has: divider }).getAttribute("data-seq")).toBe("6");
    await page.waitForFunction(() => document.querySelector('[data-testid=message][data-seq="6"]') !== null);
    expect(await inView(page, 6)).toBe(true);
    expect(await inView(page, 65)).toBe(false);
    expect(await page.locator('[data-testid=message][data-seq="1"]').count()).toBe(1);

    // What was shown is read; the rest still counts as unread.
    const deadline = Date.now() + 10_000;
    while ((await roomOf(a, room)).lastReadSeq < 6 && Date.now() < deadline) await sleep(100);
    const partly = await roomOf(a, room);
    expect(partly.lastReadSeq).toBeGreaterThanOrEqual(6);
    expect(partly.unread).toBeGreaterThan(0);
    expect(partly.lastReadSeq).toBeLessThan(65);

    // Jumping to the latest shows how many are new, then reads the rest.
    const jump = page.getByTestId("jump-to-latest");
    expect(await jump.textContent()).toMatch(/\d+ new/);
    await jump.click();
    await page.waitForFunction(() => {
      const list = document.querySelector("[data-testid=messages]")!;
      return list.scrollHeight - list.scrollTop - list.clientHeight < 5;
    });
    expect(await inView(page, 65)).toBe(true);
    while ((await roomOf(a, room)).unread > 0 && Date.now() < deadline + 10_000) await sleep(100);
    expect((await roomOf(a, room)).unread).toBe(0);

    // With nothing unread the room opens at the bottom, without a divider.
    await page.reload();
    await page.getByTestId("composer").waitFor();
    await openRoom(page, room, b.username);
    await page.waitForFunction(() => document.querySelector('[data-testid=message][data-seq="65"]') !== null);
    await page.waitForFunction(() => {
      const list = document.querySelector("[data-testid=messages]")!;
      return list.scrollHeight - list.scrollTop - list.clientHeight < 5;
    });
    expect(await page.getByTestId("unread-divider").count()).toBe(0);
    expect(await inView(page, 65)).toBe(true);
  }, 90_000);

  test("on a phone, messages that arrive while the room list is shown stay unread", async () => {
    const { a, b, room, wb, page } = await dmOpen(PHONE);
    await page.getByTestId("room-bar").getByRole("button", { name: /back|chats/i }).first().click();
    await page.locator('nav[aria-label="Conversations"]').waitFor();
    await wb.sendMessage(room, "while you were on the list");
    // The message reached the page (the list's preview shows it) but was never on screen.
    await page.locator('nav[aria-label="Conversations"]').getByText("while you were on the list").first().waitFor();
    expect((await roomOf(a, room)).unread).toBe(1);
    await openRoom(page, room, b.username);
    await page.getByTestId("message").filter({ hasText: "while you were on the list" }).waitFor();
    const deadline = Date.now() + 10_000;
    while ((await roomOf(a, room)).unread > 0 && Date.now() < deadline) await sleep(100);
    expect((await roomOf(a, room)).unread).toBe(0);
  }, 60_000);

  for (const [label, viewport] of VIEWPORTS) {
    test(`an over-long message is never lost (${label})`, async () => {
      const { a, b, room } = await pair();
      const page = await openAs(a, viewport);
      await openRoom(page, room, b.username);
      const composer = page.getByTestId("composer");
      const send = page.getByRole("button", { name: "Send", exact: true });

      await composer.fill("x".repeat(5000));
      await page.getByTestId("char-counter").filter({ hasText: "1000 characters over the 4000-character limit" }).waitFor();
      expect(await send.isDisabled()).toBe(true);
      await composer.press("Enter");
      expect((await composer.inputValue()).length).toBe(5000);
      expect(await page.getByTestId("pending").count()).toBe(0);

      // The draft survives a reload.
      await page.reload();
      await page.getByTestId("composer").waitFor();
      await openRoom(page, room, b.username);
      expect((await composer.inputValue()).length).toBe(5000);

      // Shortened under the limit: the counter says what is left and it sends.
      await composer.fill(`${"y".repeat(3989)}z`);
      await page.getByTestId("char-counter").filter({ hasText: "10 characters left" }).waitFor();
      expect(await send.isEnabled()).toBe(true);
      await composer.press("Enter");
      await page.getByTestId("message").filter({ hasText: "yz" }).waitFor();
      expect(await composer.inputValue()).toBe("");
      expect(await page.getByTestId("char-counter").count()).toBe(0);
    }, 60_000);
  }

  test("a message the server refused keeps its text, says why, and can be retried or edited", async () => {
    // A server with a send budget of one message per second.
    const strict = await startServer({ env: { SERVE_CLIENT: "true", SEND_RATE_PER_SEC: "1", SEND_BURST: "1" } });
    try {
      const { a, b, room } = await pair(strict.url);
      const page = await openAs(a, DESKTOP, strict.url);
      await openRoom(page, room, b.username);
      const composer = page.getByTestId("composer");
      for (const text of ["first", "second"]) {
        await composer.fill(text);
        await composer.press("Enter");
      }
      const failed = page.getByTestId("pending").filter({ hasText: "second" });
      await failed.getByText(/Not sent: .*too fast/).waitFor({ timeout: 10_000 });
      await sleep(1100); // the budget refills
      await failed.getByRole("button", { name: "Retry" }).click();
      await page.getByTestId("message").filter({ hasText: "second" }).waitFor({ timeout: 10_000 });
      expect(await page.getByTestId("pending").count()).toBe(0);

      await composer.fill("third");
      await composer.press("Enter");
      await composer.fill("fourth");
      await composer.press("Enter");
      const refused = page.getByTestId("pending").filter({ hasText: "fourth" });
      await refused.getByRole("button", { name: "Edit" }).click();
      expect(await composer.inputValue()).toBe("fourth");
      expect(await page.getByTestId("pending").filter({ hasText: "fourth" }).count()).toBe(0);
    } finally {
      await strict.cleanup();
    }
  }, 60_000);

  test('"Seen": from the read cursors after a reload, never under a message still sending, and who saw it in a group', async () => {
    const { a, b, room, wb, page } = await dmOpen();
    const composer = page.getByTestId("composer");
    await composer.fill("ping");
    await composer.press("Enter");
    const ping = await wb.next("message", (m) => m.body === "ping");
    wb.send({ type: "read", room, seq: ping.seq });
    const seenUnder = (seq: number) => page.locator(`[data-testid=message-row][data-seq="${seq}"] [data-testid=seen]`);
    await seenUnder(ping.seq).filter({ hasText: /^Seen$/ }).waitFor();

    await page.reload();
    await page.getByTestId("composer").waitFor();
    await openRoom(page, room, b.username);
    await seenUnder(ping.seq).filter({ hasText: /^Seen$/ }).waitFor({ timeout: 10_000 });

    // Offline: the next message stays "sending"; "Seen" stays with the stored message above it.
    await page.context().setOffline(true);
    await page.evaluate(() => (window as unknown as { __chatDrop: () => void }).__chatDrop());
    await composer.fill("pong");
    await composer.press("Enter");
    const sending = page.getByTestId("pending").filter({ hasText: "pong" });
    await sending.getByText("sending").waitFor();
    expect(await sending.getByTestId("seen").count()).toBe(0);
    expect(await page.getByTestId("seen").count()).toBe(1);
    expect(await seenUnder(ping.seq).count()).toBe(1);
    await page.context().setOffline(false);
    const pong = await wb.next("message", (m) => m.body === "pong", 30_000);
    await page.getByTestId("message").filter({ hasText: "pong" }).waitFor({ timeout: 15_000 });
    wb.send({ type: "read", room, seq: pong.seq });
    await seenUnder(pong.seq).waitFor();
    expect(await page.getByTestId("seen").count()).toBe(1);

    // A group says who saw it.
    const c = await register(server.url, "cat");
    await befriend(server.url, a, c);
    const group = (await api(server.url, "POST", "/api/groups", { token: a.accessToken, body: { name: "Trio", members: [b.id, c.id] } })).body;
    const wc = await socket(c);
    await page.reload();
    await page.getByTestId("composer").waitFor();
    await openRoom(page, group.id, "Trio");
    await composer.fill("hello all");
    await composer.press("Enter");
    const hello = await wc.next("message", (m) => m.body === "hello all");
    wb.send({ type: "read", room: group.id, seq: hello.seq });
    wc.send({ type: "read", room: group.id, seq: hello.seq });
    const seen = seenUnder(hello.seq);
    await seen.filter({ hasText: b.username }).filter({ hasText: c.username }).waitFor({ timeout: 10_000 });
    expect(await seen.textContent()).toMatch(/^Seen by /);
  }, 90_000);

  for (const [label, viewport] of VIEWPORTS) {
    test(`messages are grouped by sender and time, with avatars, own messages marked and full dates (${label})`, async () => {
      const { a, b, room } = await pair();
      const [wa, wb] = [await socket(a), await socket(b)];
      for (const t of ["b one", "b two", "b three"]) await wb.sendMessage(room, t);
      for (const t of ["a one", "a two"]) await wa.sendMessage(room, t);
      await wb.sendMessage(room, "first line of a long message that wraps on a phone screen\nsecond line\nthird line");
      await readUpTo(wa, a.id, wb, room, 6);

      const page = await openAs(a, viewport);
      await openRoom(page, room, b.username);
      await page.getByTestId("message").filter({ hasText: "third line" }).waitFor();
      const shape = await page.evaluate(() =>
        Array.from(document.querySelectorAll<HTMLElement>("[data-testid=message]"), (m) => ({
          compact: m.dataset.compact === "true",
          own: m.dataset.own === "true",
          avatar: m.querySelector<HTMLElement>("[data-testid=avatar]")?.style.backgroundColor ?? null,
          initials: m.querySelector("[data-testid=avatar]")?.textContent ?? null,
        })),
      );
      expect(shape.map((s) => s.compact)).toEqual([false, true, true, false, true, false]);
      expect(shape.map((s) => s.own)).toEqual([false, false, false, true, true, false]);
      expect(shape.filter((s) => s.avatar).length).toBe(3);
      expect(shape[0]!.avatar).toBe(shape[5]!.avatar); // a stable colour per person
      expect(shape[0]!.avatar).not.toBe(shape[3]!.avatar);
      expect(shape[0]!.initials).toBe(b.username.split("_").map((w) => w[0]).join("").toUpperCase().slice(0, 2));

      // Every message has its full date on hover, and no time wraps.
      const times = page.locator("[data-testid=message] time");
      expect(await times.count()).toBe(6);
      for (const title of await times.evaluateAll((els) => els.map((e) => e.getAttribute("title") ?? ""))) {
        expect(title).toMatch(/\d{4}/);
      }
      const heights = await page.locator("[data-testid=sender] + time, [data-testid=message] > div > div > time").evaluateAll((els) =>
        els.map((e) => e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight)),
      );
      for (const h of heights) expect(h).toBeLessThan(1.5);

      // A multi-line message: every line starts where the sender's name starts.
      const multi = page.getByTestId("message").filter({ hasText: "third line" });
      const [nameLeft, bodyLeft] = await multi.evaluate((m) => [
        m.querySelector("[data-testid=sender]")!.getBoundingClientRect().left,
        m.querySelector("[data-testid=message-body]")!.getBoundingClientRect().left,
      ]);
      expect(Math.abs(nameLeft! - bodyLeft!)).toBeLessThan(1);
      const bodyBox = await multi.getByTestId("message-body").boundingBox();
      expect(bodyBox!.height).toBeGreaterThan(40); // three lines at least
    }, 60_000);
  }

  test("jump to latest counts new messages; sending scrolls down; older pages load without a jump", async () => {
    const { room, wb, page } = await readHistory(300);
    expect(await inView(page, 300)).toBe(true);
    expect(await page.getByTestId("jump-to-latest").count()).toBe(0);

    // Scrolled to the top: the next older page loads and the message on screen stays where it was.
    const before = await page.evaluate(() => {
      const list = document.querySelector<HTMLElement>("[data-testid=messages]")!;
      list.scrollTop = 0;
      const first = document.querySelector<HTMLElement>("[data-testid=message]")!;
      return { seq: Number(first.dataset.seq), top: first.getBoundingClientRect().top };
    });
    expect(before.seq).toBe(201);
    await page.waitForFunction(() => document.querySelector('[data-testid=message][data-seq="200"]') !== null, null, { timeout: 10_000 });
    const after = await page.evaluate(
      (seq) => document.querySelector(`[data-testid=message][data-seq="${seq}"]`)!.getBoundingClientRect().top,
      before.seq,
    );
    expect(Math.abs(after - before.top)).toBeLessThan(3);

    // New messages while scrolled up wait behind the button, which counts them.
    await wb.sendMessage(room, "later 1");
    await wb.sendMessage(room, "later 2");
    const jump = page.getByTestId("jump-to-latest");
    await jump.filter({ hasText: "2 new" }).waitFor();
    expect(await jump.getAttribute("aria-label")).toBe("Jump to latest, 2 new");
    await jump.click();
    await page.getByTestId("message").filter({ hasText: "later 2" }).waitFor();
    expect(await inView(page, "later 2")).toBe(true);
    await jump.waitFor({ state: "detached" });

    // Sending from anywhere brings the list to the bottom.
    await page.evaluate(() => (document.querySelector<HTMLElement>("[data-testid=messages]")!.scrollTop = 0));
    await jump.waitFor();
    await page.getByTestId("composer").fill("from the top");
    await page.getByTestId("composer").press("Enter");
    await page.getByTestId("message").filter({ hasText: "from the top" }).waitFor();
    await page.waitForFunction(() => {
      const list = document.querySelector("[data-testid=messages]")!;
      return list.scrollHeight - list.scrollTop - list.clientHeight < 5;
    });
    expect(await inView(page, "from the top")).toBe(true);
  }, 90_000);

  test("5,000 messages scroll end to end with a bounded number of nodes", async () => {
    const { page } = await readHistory(5000);
    const counts: number[] = [];
    const domSize = () => page.evaluate(() => document.querySelectorAll("*").length);
    const initialNodes = await domSize();
    const firstRendered = () => page.evaluate(() => Number(document.querySelector<HTMLElement>("[data-testid=message-row]")!.dataset.seq));
    for (let lowest = await firstRendered(); lowest > 1; lowest = await firstRendered()) {
      await page.evaluate(() => {
        const list = document.querySelector<HTMLElement>("[data-testid=messages]")!;
        list.scrollTop = 0;
        list.dispatchEvent(new Event("scroll"));
      });
      await page.waitForFunction(
        (seq) => Number(document.querySelector<HTMLElement>("[data-testid=message-row]")?.dataset.seq) < seq,
        lowest,
        { timeout: 15_000, polling: 50 },
      );
      counts.push(await page.getByTestId("message").count());
    }
    expect(await page.locator('[data-testid=message][data-seq="1"]').count()).toBe(1);
    await page.getByText("This is the start of the conversation.").waitFor();
    expect(Math.max(...counts)).toBeLessThanOrEqual(200);
    expect(await domSize()).toBeLessThan(initialNodes * 2);

    // And back down to the newest through the rendered window.
    await page.getByTestId("jump-to-latest").click();
    await page.waitForFunction(() => document.querySelector('[data-testid=message][data-seq="5000"]') !== null);
    expect(await inView(page, 5000)).toBe(true);
    expect(await page.getByTestId("message").count()).toBeLessThanOrEqual(200);
  }, 180_000);

  test("Markdown renders as DOM nodes and hostile input stays inert", async () => {
    const { a, b, room, wb, page } = await dmOpen();
    const body = [
      "**bold** and *italic* and `x < y`",
      "```",
      "<b>not bold</b> **not bold**",
      "```",
      "- one",
      "- two",
      "[site](https://example.com/a) [bad](javascript:alert(1)) https://example.org/b.",
      `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`,
    ].join("\n");
    await wb.sendMessage(room, body);
    const m = page.getByTestId("message").filter({ hasText: "italic" });
    await m.waitFor();
    expect(await m.locator("strong").allTextContents()).toEqual(["bold"]);
    expect(await m.locator("em").allTextContents()).toEqual(["italic"]);
    expect(await m.locator("p code").allTextContents()).toEqual(["x < y"]);
    expect(await m.locator("pre").textContent()).toBe("<b>not bold</b> **not bold**");
    expect(await m.locator("ul > li").allTextContents()).toEqual(["one", "two"]);
    const links = await m.locator("a").evaluateAll((as) => as.map((x) => [x.getAttribute("href"), x.textContent, x.getAttribute("rel")]));
    expect(links).toEqual([
      ["https://example.com/a", "site", "noopener noreferrer"],
      ["https://example.org/b", "https://example.org/b", "noopener noreferrer"],
    ]);
    expect(await m.locator("img, script, b").count()).toBe(0);
    expect(await m.textContent()).toContain('<img src=x onerror="window.__pwned=1">');
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
  }, 60_000);

  test("focus goes to the composer, which grows, completes :shortcodes: and has a labelled emoji picker", async () => {
    const { a, b, room } = await pair();
    const page = await openAs(a);
    await openRoom(page, room, b.username);
    const composer = page.getByTestId("composer");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("composer");

    const height = async () => (await composer.boundingBox())!.height;
    const oneLine = await height();
    await composer.fill("1\n2\n3\n4");
    await page.waitForFunction((h) => document.querySelector("[data-testid=composer]")!.getBoundingClientRect().height > h + 30, oneLine);
    await composer.fill(Array.from({ length: 40 }, (_, i) => `line ${i}`).join("\n"));
    await page.waitForFunction(() => document.querySelector("[data-testid=composer]")!.getBoundingClientRect().height >= 190);
    expect(await height()).toBeLessThanOrEqual(205);

    await composer.fill("");
    await composer.pressSequentially("great :thumbs", { delay: 20 });
    const suggestions = page.getByRole("listbox", { name: "Emoji suggestions" });
    await suggestions.getByRole("option", { name: /:thumbsup:/ }).waitFor();
    await composer.press("Enter");
    expect(await composer.inputValue()).toBe("great 👍 ");
    await suggestions.waitFor({ state: "detached" });

    await page.getByRole("button", { name: "Insert emoji" }).click();
    await page.getByRole("dialog", { name: "Emoji picker" }).getByRole("button", { name: "tada" }).click();
    expect(await composer.inputValue()).toBe("great 👍 🎉");
    await composer.press("Enter");
    await page.getByTestId("message").filter({ hasText: "great 👍 🎉" }).waitFor();

    // Every control of the pane has an accessible name.
    const unnamed = await page.locator('section[aria-label="Conversation"]').evaluate((s) =>
      Array.from(s.querySelectorAll("button, textarea, input, a")).filter((el) => !(el.getAttribute("aria-label") || el.textContent?.trim())).map((el) => el.outerHTML),
    );
    expect(unnamed).toEqual([]);
  }, 60_000);
});
