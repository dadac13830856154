/**
 * Search and the analytics dashboard in a real headless Chromium against a real server: a search hit
 * opens its conversation at that (old) message and pages on to the live end; the dashboard draws its
 * charts for an administrator only; axe-core finds nothing serious in either.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { api, register, WsClient, type Account } from "../support/client.ts";
import { enginesRequired } from "../support/engines.ts";
import { describeIf } from "../support/skips.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { axeViolations, DESKTOP, haveChromium, launch, logIn, openClient, PASSWORD, PHONE, type Scheme, type Viewport } from "./browser.ts";

const run = haveChromium() || enginesRequired(); // in CI a missing browser is a failure, not a skip
const LONG = 90_000;
/** More than the first page a room opens on (100), so the hit is only reachable with `around`. */
const HISTORY = 260;
const TARGET = 12;
const WORD = "flamingoquartz";

describeIf(run, "web client search and analytics", "needs Chromium (/usr/bin/chromium)", () => {
  let server: TestServer;
  let browser: Browser;
  let alice: Account;
  let admin: Account;
  let group: string;
  const pages: Page[] = [];

  const signedIn = async (who: Account, viewport: Viewport, colorScheme: Scheme = "light") => {
    const { page } = await openClient(browser, server.url, { viewport, colorScheme, bypassCSP: true });
    pages.push(page);
    // Whether the dashboard entry shows depends on /api/me: wait for it, so its absence means something.
    const me = page.waitForResponse((r) => r.url().endsWith("/api/me"));
    await logIn(page, who.username);
    await me;
    return page;
  };

  beforeAll(async () => {
    const build = Bun.spawnSync(["npm", "run", "build:client"], { cwd: join(import.meta.dir, "..", ".."), stdout: "pipe", stderr: "pipe" });
    if (build.exitCode !== 0) throw new Error(`client build failed: ${build.stderr}`);
    // The administrator's name must be known before the server starts.
    const adminName = `adm_${Date.now().toString(36)}`;
    server = await startServer({ env: { SERVE_CLIENT: "true", ADMIN_USERNAMES: adminName, SEND_RATE_PER_SEC: "10000" } });
    const res = await api(server.url, "POST", "/api/auth/register", { body: { username: adminName, password: PASSWORD } });
    expect(res.status).toBe(201);
    admin = { id: res.body.user.id, username: adminName, password: PASSWORD, accessToken: res.body.accessToken, refreshCookie: "" };
    alice = await register(server.url, "sal", PASSWORD);
    const created = await api(server.url, "POST", "/api/groups", { token: alice.accessToken, body: { name: "archive", members: [] } });
    expect(created.status).toBe(201);
    group = created.body.id;
    const ws = await WsClient.connect(server.url, alice);
    for (let i = 1; i <= HISTORY; i++) await ws.sendMessage(group, i === TARGET ? `the ${WORD} plan, number ${i}` : `filler note ${i}`);
    ws.close();
    browser = await launch();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.cleanup();
  });

  for (const [size, viewport] of [["desktop", DESKTOP], ["phone", PHONE]] as const) {
    test(`${size}: a search hit opens the conversation at that old message, highlighted; scrolling down reaches the live end`, async () => {
      const page = await signedIn(alice, viewport);
      if (size === "desktop") await page.keyboard.press("Control+K");
      else await page.getByRole("button", { name: /Search/ }).click();
      const dialog = page.getByTestId("search-dialog");
      const input = dialog.getByLabel("Search for");
      await input.waitFor();
      expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Search for");

      // Too short is said in words; nothing found says so too.
      await input.fill("ab");
      await dialog.getByTestId("search-error").filter({ hasText: "at least 3 characters" }).waitFor();
      await input.fill("nothingmatchesthis");
      await dialog.getByTestId("search-empty").waitFor();

      await input.fill(WORD);
      const hit = dialog.getByTestId("search-hit").filter({ hasText: WORD });
      await hit.waitFor();
      expect(await dialog.getByTestId("search-hit").count()).toBe(1);
      expect(await hit.locator("mark").allTextContents()).toEqual([WORD]);
      expect(await hit.textContent()).toContain("# archive");
      expect(await hit.textContent()).toContain(alice.username);
      await hit.click();

      const target = page.locator(`[data-testid=message][data-seq="${TARGET}"]`);
      await target.waitFor();
      expect(await target.getAttribute("data-highlighted")).toBe("true");
      expect(await dialog.isVisible()).toBe(false);
      await page.getByTestId("room-pane").filter({ hasText: "# archive" }).waitFor();
      // In view, and the newest messages are not loaded yet: this is the page around the hit.
      const inView = await target.evaluate((el) => {
        const r = el.getBoundingClientRect();
        const box = document.querySelector("[data-testid=messages]")!.getBoundingClientRect();
        return r.top >= box.top && r.bottom <= box.bottom;
      });
      expect(inView).toBe(true);
      expect(await page.locator(`[data-testid=message][data-seq="${HISTORY}"]`).count()).toBe(0);
      // The highlight fades.
      await page.locator(`[data-testid=message][data-seq="${TARGET}"]:not([data-highlighted])`).waitFor({ timeout: 10_000 });

      // Scrolling down loads newer pages until the newest message.
      const newest = page.locator(`[data-testid=message][data-seq="${HISTORY}"]`);
      const list = page.getByTestId("messages");
      for (let i = 0; i < 60 && (await newest.count()) === 0; i++) {
        await list.evaluate((el) => (el.scrollTop = el.scrollHeight));
        await page.waitForTimeout(150);
      }
      await newest.waitFor();
      // At the live end and at the bottom again (no "Jump to latest"): a new message shows up.
      await list.evaluate((el) => (el.scrollTop = el.scrollHeight));
      await page.getByTestId("jump-to-latest").waitFor({ state: "hidden" });
      const ws = await WsClient.connect(server.url, alice);
      await ws.sendMessage(group, `live after search ${size}`);
      ws.close();
      await page.getByTestId("message").filter({ hasText: `live after search ${size}` }).waitFor();
    }, LONG);
  }

  test("results come newest first, page on with Load more, filter by room; the dialog passes axe", async () => {
    const page = await signedIn(alice, DESKTOP);
    // "/" opens the search from anywhere but a text field (in the composer it is a character).
    await page.getByTestId("messages").focus();
    await page.keyboard.press("/");
    const dialog = page.getByTestId("search-dialog");
    await dialog.getByLabel("Search for").fill("filler note");
    const hits = dialog.getByTestId("search-hit");
    await hits.first().waitFor();
    expect(await hits.count()).toBe(20);
    const seqs = async () => (await hits.evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-seq")))));
    const first = await seqs();
    expect(first[0]).toBeGreaterThan(first[1]!);
    expect(first[0]).toBeGreaterThanOrEqual(HISTORY - 1);
    await dialog.getByRole("button", { name: "Load more" }).click();
    await hits.nth(39).waitFor();
    const more = await seqs();
    expect(more.slice(0, 20)).toEqual(first);
    expect(Math.max(...more.slice(20))).toBeLessThan(Math.min(...first));

    // "general" has no filler notes: the room filter applies.
    await dialog.getByLabel("Room").selectOption({ label: "# general" });
    await dialog.getByTestId("search-empty").waitFor();
    await dialog.getByLabel("Room").selectOption({ label: "# archive" });
    await hits.first().waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
  }, LONG);

  for (const scheme of ["light", "dark"] as const) {
    test(`${scheme}: the dashboard draws its charts with data for an administrator and passes axe`, async () => {
      const page = await signedIn(admin, DESKTOP, scheme);
      await page.getByRole("button", { name: "Analytics" }).click();
      const dash = page.getByTestId("dashboard");
      await dash.getByTestId("chart").first().waitFor();
      expect(await dash.locator("[data-testid=chart] canvas").count()).toBe(5);
      await dash.getByRole("img", { name: /^Messages: \d+ buckets, total \d+/ }).waitFor();
      const label = await dash.getByRole("img", { name: /^Messages:/ }).getAttribute("aria-label");
      expect(Number(/total (\d+)/.exec(label!)![1])).toBeGreaterThanOrEqual(HISTORY);
      // The administrator is no member of the group: it shows by id.
      expect(await dash.getByTestId("top-rooms").textContent()).toContain(group);
      expect(await dash.getByTestId("events-by-type").textContent()).toContain("message.sent");
      await dash.getByRole("button", { name: "7 days" }).click();
      await dash.getByText("per day").first().waitFor();
      expect(await axeViolations(page)).toEqual([]);
    }, LONG);
  }

  test("a non-administrator sees no dashboard entry and the API answers 403", async () => {
    const page = await signedIn(alice, PHONE);
    await page.getByRole("button", { name: /Search/ }).waitFor();
    expect(await page.getByRole("button", { name: "Analytics" }).count()).toBe(0);
    const denied = await api(server.url, "GET", "/api/analytics?range=24h", { token: alice.accessToken });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe("forbidden");
  }, LONG);
});
