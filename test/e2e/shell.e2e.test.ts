/**
 * The app shell in a real headless Chromium against a real server: layout on a phone and a desktop,
 * the sidebar, friends, groups, sign-up, notifications, reconnecting and accessibility (axe-core).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { uniqueName } from "../support/client.ts";
import { enginesRequired } from "../support/engines.ts";
import { describeIf } from "../support/skips.ts";
import { startServer, type TestServer } from "../support/server.ts";
import {
  axeViolations, befriendInUi, DESKTOP, haveChromium, launch, logIn, openClient, openDm, PHONE, scratchShots, send, signUp, type Scheme, type User,
} from "./browser.ts";

const run = haveChromium() || enginesRequired(); // in CI a missing browser is a failure, not a skip
const LONG = 60_000;

describeIf(run, "web client shell", "needs Chromium (/usr/bin/chromium)", () => {
  let server: TestServer;
  let browser: Browser;
  let shots: string;
  const users: User[] = [];
  const user = async (prefix: string, opts: Parameters<typeof signUp>[3] = {}) => {
    const u = await signUp(browser, server.url, uniqueName(prefix), opts);
    users.push(u);
    return u;
  };
  const activeElement = (page: Page) => page.evaluate(() => ({ id: document.activeElement?.id, name: (document.activeElement as HTMLInputElement | null)?.name }));

  beforeAll(async () => {
    const build = Bun.spawnSync(["npm", "run", "build:client"], { cwd: join(import.meta.dir, "..", ".."), stdout: "pipe", stderr: "pipe" });
    if (build.exitCode !== 0) throw new Error(`client build failed: ${build.stderr}`);
    server = await startServer({ env: { SERVE_CLIENT: "true" } });
    browser = await launch();
    shots = scratchShots();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.cleanup();
  });

  test("sign-up shows the rules up front, focuses the name, refuses bad input in words, shows a busy button", async () => {
    const { ctx, page } = await openClient(browser, server.url);
    // The form appears once the page knows there is no session to resume: wait for it, focused.
    await page.waitForFunction(() => (document.activeElement as HTMLInputElement | null)?.name === "username", undefined, { timeout: 15_000 });
    await page.getByRole("button", { name: "No account? Sign up" }).click();
    await page.getByText("3–32 characters: lowercase letters, digits and _").waitFor();
    await page.getByText("At least 8 characters").waitFor();
    expect(await activeElement(page)).toMatchObject({ name: "username" });

    // Too long is said, not cut off.
    const tooLong = "a".repeat(40);
    await page.getByLabel("Username").fill(tooLong);
    expect(await page.getByLabel("Username").inputValue()).toBe(tooLong);
    await page.getByLabel("Password").fill("correct horse battery");
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.getByRole("alert").filter({ hasText: "Usernames are 3–32 characters" }).waitFor();

    // While the server answers, the button says so and cannot be pressed twice.
    const name = uniqueName("signup");
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route("**/api/auth/register", async (route) => {
      await held;
      await route.continue();
    });
    await page.getByLabel("Username").fill(name);
    await page.getByRole("button", { name: "Sign up" }).click();
    const busy = page.getByRole("button", { name: "Signing up…" });
    await busy.waitFor();
    expect(await busy.isDisabled()).toBe(true);
    release();
    await page.getByTestId("connection").filter({ hasText: name }).waitFor();
    // After signing up the message box has the focus.
    await page.waitForFunction(() => document.activeElement?.getAttribute("aria-label") === "Message");

    // Errors are sentences, not validation dumps.
    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByLabel("Username").fill(name);
    await page.getByLabel("Password").fill("wrong password!");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("alert").filter({ hasText: "Wrong username or password." }).waitFor();
    await page.getByRole("button", { name: "No account? Sign up" }).click();
    await page.getByLabel("Username").fill(name);
    await page.getByLabel("Password").fill("correct horse battery");
    await page.getByRole("button", { name: "Sign up" }).click();
    const taken = page.getByRole("alert");
    await taken.filter({ hasText: "That username is taken" }).waitFor();
    expect(await taken.textContent()).not.toMatch(/expected|Too small|invalid_/);
    await ctx.close();
  }, LONG);

  for (const scheme of ["light", "dark"] as Scheme[]) {
    test(`phone (${scheme}): the list or the conversation, with a back button; desktop shows both`, async () => {
      const phone = await user("phone", { viewport: PHONE, colorScheme: scheme });
      const list = phone.page.getByTestId("list-pane");
      const room = phone.page.getByTestId("room-pane");
      await room.waitFor();
      expect(await list.isVisible()).toBe(false);
      const composer = await phone.page.getByLabel("Message", { exact: true }).boundingBox();
      expect(composer!.width).toBeGreaterThan(250);
      await phone.page.screenshot({ path: join(shots, `phone-room-${scheme}.png`) });

      await phone.page.getByRole("button", { name: "Chats" }).click();
      await list.waitFor();
      expect(await room.isVisible()).toBe(false);
      expect((await list.boundingBox())!.width).toBeGreaterThan(350);
      await phone.page.screenshot({ path: join(shots, `phone-list-${scheme}.png`) });
      await phone.page.getByTestId("room").filter({ hasText: "general" }).click();
      await room.waitFor();
      expect(await list.isVisible()).toBe(false);

      await phone.page.setViewportSize(DESKTOP);
      await list.waitFor();
      expect(await room.isVisible()).toBe(true);
      expect(await phone.page.getByRole("button", { name: "Chats" }).isVisible()).toBe(false);
      await phone.ctx.close();
    }, LONG);
  }

  test("reload and login land in the last open conversation", async () => {
    const a = await user("last");
    const b = await user("lastb");
    await befriendInUi(a, b);
    await openDm(a, b.name);
    const dm = a.page.locator(`[data-testid=room][data-kind=dm][aria-current=true]`);
    await dm.waitFor();
    await a.page.reload();
    await a.page.getByTestId("connection").filter({ hasText: a.name }).waitFor();
    await dm.waitFor();
    await a.page.getByRole("button", { name: "Log out" }).click();
    await logIn(a.page, a.name);
    await dm.waitFor();
    await a.page.waitForFunction(() => document.activeElement?.getAttribute("aria-label") === "Message");
  }, LONG);

  test("sidebar: preview, time, latest activity first, an icon per kind, presence, unread; DM header shows last seen", async () => {
    const a = await user("side");
    const b = await user("sideb");
    await befriendInUi(a, b);
    await openDm(b, a.name);
    await send(b.page, "hello from the other side");

    const rooms = a.page.getByTestId("room");
    const first = rooms.first();
    await first.filter({ hasText: `@${b.name}` }).filter({ hasText: "hello from the other side" }).waitFor();
    expect(await first.getAttribute("data-kind")).toBe("dm");
    expect(await first.getByTestId("room-preview").textContent()).toBe(`${b.name}: hello from the other side`);
    expect(await first.getByTestId("room-time").textContent()).toMatch(/\d/);
    expect(await first.getByTestId("unread").textContent()).toBe("1 unread");
    expect(await first.getByTestId("icon-dm").getByTestId("presence-dot").getAttribute("data-online")).toBe("true");
    expect(await a.page.locator("[data-testid=room][data-kind=public] [data-testid=icon-public]").count()).toBe(1);
    expect((await a.page.title())).toBe("(1) Chat");
    expect(await a.page.locator("link[rel=icon]").getAttribute("href")).toStartWith("data:image/svg+xml,");

    // A new message in #general moves it to the top.
    await a.page.getByTestId("room").filter({ hasText: "# general" }).click();
    await send(a.page, "now general is newest");
    await first.filter({ hasText: "# general" }).waitFor();
    expect(await first.getByTestId("room-preview").textContent()).toBe("You: now general is newest");

    // Opening the DM reads it; its header tells whether the peer is there.
    await a.page.getByTestId("room").filter({ hasText: `@${b.name}` }).click();
    await a.page.getByTestId("dm-presence").filter({ hasText: "online" }).waitFor();
    expect(await a.page.title()).toBe("Chat");
    await a.page.screenshot({ path: join(shots, "sidebar.png") });
    await b.ctx.close();
    await a.page.getByTestId("dm-presence").filter({ hasText: /last seen/ }).waitFor({ timeout: 15_000 });
    expect(await a.page.locator("[data-testid=room][data-kind=dm] [data-testid=presence-dot]").getAttribute("data-online")).toBe("false");
  }, LONG);

  test("friends: search by part of a name, see and cancel a sent request, the note goes away, unfriend", async () => {
    const a = await user("frienda");
    const b = await user("friendb");
    a.page.on("dialog", (d) => void d.accept());
    await a.page.getByLabel("Find people by name").fill(b.name.slice(0, 8));
    await a.page.getByRole("button", { name: `Add ${b.name} as a friend` }).click();
    const note = a.page.getByTestId("friends-note");
    await note.filter({ hasText: `Request sent to ${b.name}` }).waitFor();
    const outgoing = a.page.getByTestId("outgoing").filter({ hasText: b.name });
    await outgoing.waitFor();
    await b.page.getByTestId("incoming").filter({ hasText: a.name }).waitFor();
    await note.filter({ hasText: /^$/ }).waitFor({ timeout: 15_000 }); // the confirmation does not stay forever

    await a.page.getByRole("button", { name: `Cancel request to ${b.name}` }).click();
    await outgoing.waitFor({ state: "detached" });

    await befriendInUi(a, b);
    await openDm(a, b.name);
    await openDm(b, a.name);
    await a.page.getByRole("button", { name: `Unfriend ${b.name}` }).click();
    await a.page.getByTestId("friend").filter({ hasText: b.name }).waitFor({ state: "detached" });
    await b.page.getByTestId("friend").filter({ hasText: a.name }).waitFor({ state: "detached" });
    // Their DM stays readable but takes no new messages, on both sides, without a reload.
    for (const u of [a, b]) {
      await u.page.getByTestId("read-only").waitFor();
      expect(await u.page.getByTestId("composer").count()).toBe(0);
    }
  }, LONG);

  test("groups: members with presence, the creator adds, removes and renames, a blank name is refused, members leave", async () => {
    const a = await user("grpa");
    const b = await user("grpb");
    const c = await user("grpc");
    await befriendInUi(a, b);
    await befriendInUi(a, c);
    for (const u of [a, b]) u.page.on("dialog", (d) => void d.accept());

    await a.page.getByRole("button", { name: "Create group" }).click();
    await a.page.getByRole("alert").filter({ hasText: "A group needs a name." }).waitFor();
    await a.page.getByLabel("Group name").fill("Team");
    await a.page.getByRole("checkbox", { name: b.name }).check();
    await a.page.getByRole("button", { name: "Create group" }).click();
    await a.page.locator("[data-testid=room][data-kind=group][aria-current=true] [data-testid=icon-group]").waitFor();

    await a.page.getByRole("button", { name: "Members and settings" }).click();
    const details = a.page.getByTestId("group-details");
    const member = (name: string) => details.getByTestId("member").filter({ hasText: name });
    await member(b.name).filter({ hasText: "online" }).waitFor();
    expect(await member(a.name).textContent()).toContain("(you)");

    await details.getByLabel("Friend to add").selectOption({ label: c.name });
    await details.getByRole("button", { name: "Add", exact: true }).click();
    await member(c.name).waitFor();
    await c.page.getByTestId("room").filter({ hasText: "Team" }).waitFor();

    await details.getByLabel("Group name").fill("   ");
    await details.getByRole("button", { name: "Rename" }).click();
    await details.getByRole("alert").filter({ hasText: "A group needs a name." }).waitFor();
    await details.getByLabel("Group name").fill("Core team");
    await details.getByRole("button", { name: "Rename" }).click();
    await b.page.getByTestId("room").filter({ hasText: "Core team" }).waitFor();
    await a.page.getByTestId("room").filter({ hasText: "Core team" }).waitFor();
    await a.page.screenshot({ path: join(shots, "group.png") });

    await details.getByRole("button", { name: `Remove ${c.name} from the group` }).click();
    await member(c.name).waitFor({ state: "detached" });
    await c.page.getByTestId("room").filter({ hasText: "Core team" }).waitFor({ state: "detached" });

    // Bob, not the creator, sees the members but no controls, and leaves.
    await b.page.getByTestId("room").filter({ hasText: "Core team" }).click();
    await b.page.getByRole("button", { name: "Members and settings" }).click();
    const bDetails = b.page.getByTestId("group-details");
    await bDetails.getByTestId("member").filter({ hasText: a.name }).waitFor();
    expect(await bDetails.getByRole("button", { name: /Remove|Rename/ }).count()).toBe(0);
    await bDetails.getByRole("button", { name: "Leave group" }).click();
    await b.page.getByTestId("room").filter({ hasText: "Core team" }).waitFor({ state: "detached" });
    await member(b.name).waitFor({ state: "detached" });
  }, LONG);

  test("notifications only after opt-in and while hidden; unread in the title; a reconnect banner with retry now", async () => {
    const a = await user("note");
    const b = await user("noteb");
    await befriendInUi(a, b);
    // The page's Notification and visibility, recorded: headless Chromium shows neither.
    await a.page.evaluate(() => {
      const w = window as unknown as { __asked: number; __shown: string[]; __hidden: boolean };
      w.__asked = 0;
      w.__shown = [];
      w.__hidden = false;
      class FakeNotification {
        static permission = "default";
        static async requestPermission() {
          w.__asked++;
          FakeNotification.permission = "granted";
          return "granted";
        }
        onclick: (() => void) | null = null;
        constructor(title: string) {
          w.__shown.push(title);
        }
      }
      Object.defineProperty(window, "Notification", { value: FakeNotification, configurable: true });
      Object.defineProperty(document, "visibilityState", { get: () => (w.__hidden ? "hidden" : "visible"), configurable: true });
    });
    const recorded = () => a.page.evaluate(() => {
      const w = window as unknown as { __asked: number; __shown: string[] };
      return { asked: w.__asked, shown: w.__shown };
    });
    await openDm(b, a.name);
    await send(b.page, "first, nobody asked");
    await a.page.getByTestId("room").filter({ hasText: "first, nobody asked" }).waitFor();
    expect(await recorded()).toEqual({ asked: 0, shown: [] });

    await a.page.getByRole("button", { name: "Turn on notifications" }).click();
    await a.page.getByRole("button", { name: "Notifications on" }).waitFor();
    await send(b.page, "seen while looking");
    await a.page.getByTestId("room").filter({ hasText: "seen while looking" }).waitFor();
    expect((await recorded()).shown).toEqual([]);
    await a.page.evaluate(() => ((window as unknown as { __hidden: boolean }).__hidden = true));
    await send(b.page, "while you were away");
    await a.page.waitForFunction(() => (window as unknown as { __shown: string[] }).__shown.length > 0);
    expect(await recorded()).toEqual({ asked: 1, shown: [b.name] });
    await a.page.getByTestId("room").filter({ hasText: "while you were away" }).waitFor();
    expect(await a.page.title()).toMatch(/^\(\d+\) Chat$/);

    // The connection drops and tickets fail for a while: a banner says so; "retry now" skips the backoff.
    let failures = 0;
    await a.page.route("**/api/auth/ws-ticket", (route) => {
      failures++;
      return route.fulfill({ status: 503, contentType: "application/json", body: '{"error":{"code":"unavailable","message":"down"}}' });
    });
    await a.page.evaluate(() => (window as unknown as { __chatDrop: () => void }).__chatDrop());
    const banner = a.page.getByTestId("connection-banner");
    await banner.filter({ hasText: "Reconnecting" }).waitFor();
    await a.page.screenshot({ path: join(shots, "reconnecting.png") });
    // After five failures the next automatic try is at least 8 s away.
    const deadline = Date.now() + 40_000;
    while (failures < 5 && Date.now() < deadline) await a.page.waitForTimeout(200);
    expect(failures).toBeGreaterThanOrEqual(5);
    await a.page.unroute("**/api/auth/ws-ticket");
    await banner.getByRole("button", { name: "Retry now" }).click();
    await a.page.getByTestId("connection").filter({ hasText: `● ${a.name}` }).waitFor({ timeout: 6000 });
    await banner.waitFor({ state: "detached" });
  }, 90_000);

  for (const scheme of ["light", "dark"] as Scheme[]) {
    test(`accessibility (${scheme}): axe finds no serious or critical problem on any main screen; a skip link`, async () => {
      const found: string[] = [];
      const check = async (page: Page, screen: string) => {
        for (const v of await axeViolations(page)) found.push(`${screen}: ${v}`);
      };
      const { ctx, page } = await openClient(browser, server.url, { colorScheme: scheme, bypassCSP: true });
      await page.getByLabel("Username").waitFor();
      await check(page, "login");
      await page.getByRole("button", { name: "No account? Sign up" }).click();
      await check(page, "sign-up");
      await ctx.close();

      const a = await user("axe", { colorScheme: scheme, bypassCSP: true });
      const b = await user("axeb", { colorScheme: scheme, bypassCSP: true });
      await befriendInUi(a, b);
      await send(a.page, "hello **everyone**");
      await openDm(a, b.name);
      await send(a.page, "a direct hello");
      await b.page.getByTestId("room").filter({ hasText: "a direct hello" }).waitFor();
      await check(b.page, "conversation list with unread");
      await check(a.page, "DM");
      await a.page.getByLabel("Group name").fill("Axe group");
      await a.page.getByRole("checkbox", { name: b.name }).check();
      await a.page.getByRole("button", { name: "Create group" }).click();
      await a.page.getByRole("button", { name: "Members and settings" }).click();
      await a.page.getByTestId("group-details").getByTestId("member").first().waitFor();
      await check(a.page, "group details");
      await a.page.setViewportSize(PHONE);
      await check(a.page, "phone conversation");
      await a.page.getByRole("button", { name: "Close" }).click();
      await a.page.getByRole("button", { name: "Chats" }).click();
      await check(a.page, "phone list");
      expect(found).toEqual([]);

      // Keyboard: the first Tab reaches the skip link, which leads to the message box.
      await a.page.setViewportSize(DESKTOP);
      await a.page.evaluate(() => {
        // Start keyboard navigation from the top of the page, as after a page load.
        document.body.tabIndex = -1;
        document.body.focus();
        document.body.removeAttribute("tabindex");
      });
      await a.page.keyboard.press("Tab");
      expect(await a.page.evaluate(() => document.activeElement?.textContent?.trim())).toBe("Skip to the message box");
      await a.page.keyboard.press("Enter");
      await a.page.waitForFunction(() => document.activeElement?.getAttribute("aria-label") === "Message");
    }, 90_000);
  }
});
