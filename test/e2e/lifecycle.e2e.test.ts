/**
 * The message lifecycle in real headless Chromium pages against a real server: two users in two
 * pages react, reply, edit, delete, mention and attach an image, and each sees the other's change
 * live — on a desktop in light and on a phone in dark.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { api, befriend, register, WsClient, type Account } from "../support/client.ts";
import { enginesRequired } from "../support/engines.ts";
import { describeIf } from "../support/skips.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { axeViolations, DESKTOP, haveChromium, launch, logIn, openClient, PASSWORD, PHONE, scratchShots, send, type Scheme, type Viewport } from "./browser.ts";

const run = haveChromium() || enginesRequired(); // in CI a missing browser is a failure, not a skip
const LONG = 90_000;
const dmId = (a: Account, b: Account) => `dm:${[a.id, b.id].sort().join(":")}`;

describeIf(run, "message lifecycle in the web client", "needs Chromium (/usr/bin/chromium)", () => {
  let server: TestServer;
  let browser: Browser;
  let shots: string;

  beforeAll(async () => {
    const build = Bun.spawnSync(["npm", "run", "build:client"], { cwd: join(import.meta.dir, "..", ".."), stdout: "pipe", stderr: "pipe" });
    if (build.exitCode !== 0) throw new Error(`client build failed: ${build.stderr}`);
    // A send budget high enough to seed a history older than one page.
    server = await startServer({ env: { SERVE_CLIENT: "true", SEND_RATE_PER_SEC: "5000", SEND_BURST: "5000" } });
    browser = await launch();
    shots = scratchShots();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.cleanup();
  });

  /** Logged in through the form (as people do: the file cookie comes with the login). */
  const signedIn = async (who: Account, viewport: Viewport, colorScheme: Scheme) => {
    const { page } = await openClient(browser, server.url, { viewport, colorScheme, bypassCSP: true, hasTouch: viewport === PHONE });
    await logIn(page, who.username);
    return page;
  };
  /** Two friends, each in a page showing their DM. */
  const pair = async (viewport: Viewport, scheme: Scheme) => {
    const [a, b] = [await register(server.url, "ann", PASSWORD), await register(server.url, "ben", PASSWORD)];
    await befriend(server.url, a, b);
    await api(server.url, "POST", `/api/dms/${b.id}`, { token: a.accessToken });
    const [pa, pb] = [await signedIn(a, viewport, scheme), await signedIn(b, DESKTOP, "light")];
    await openConversation(pa, dmId(a, b), b.username);
    await openConversation(pb, dmId(a, b), a.username);
    return { a, b, pa, pb, room: dmId(a, b) };
  };
  const openConversation = async (page: Page, room: string, peer: string) => {
    const nav = page.locator('nav[aria-label="Conversations"]');
    if (!(await nav.isVisible())) await page.getByTestId("room-bar").getByRole("button", { name: /back|chats/i }).first().click();
    await nav.locator(`[data-room="${room}"]`).click();
    await page.getByRole("heading", { name: new RegExp(peer) }).waitFor({ timeout: 10_000 });
  };
  /** The message whose own text (not a quote of it) holds `text`. */
  const message = (page: Page, text: string) => page.getByTestId("message").filter({ has: page.getByTestId("message-body").filter({ hasText: text }) });
  /** The message's actions: hover on a desktop, a long press on a touch screen. */
  const actionsOf = async (page: Page, msg: Locator) => {
    const touch = (page.viewportSize()?.width ?? 1000) < 768;
    if (touch) {
      await msg.dispatchEvent("touchstart");
      await msg.getByTestId("message-actions").and(page.locator(".opacity-100")).waitFor();
      await msg.dispatchEvent("touchend");
    } else {
      await msg.hover();
    }
    return msg.getByTestId("message-actions");
  };

  for (const [label, viewport, scheme] of [["desktop, light", DESKTOP, "light"], ["phone, dark", PHONE, "dark"]] as const) {
    test(`${label}: react, reply, edit and delete, each seen live by the other`, async () => {
      const { a, b, pa, pb } = await pair(viewport, scheme);

      // A mention: highlighted in both pages, stronger for the one mentioned.
      await send(pb, `hello @${a.username}, lunch?`);
      const original = message(pa, "lunch?");
      await original.waitFor();
      expect(await original.getByTestId("mention").getAttribute("data-me")).toBe("true");
      expect(await message(pb, "lunch?").getByTestId("mention").getAttribute("data-me")).toBeNull();

      // React from the picker; the other sees the chip, joins in with a click, and it counts 2.
      await (await actionsOf(pa, original)).getByRole("button", { name: "Add reaction" }).click();
      await pa.getByTestId("reaction-picker").waitFor();
      expect(await axeViolations(pa)).toEqual([]);
      await pa.getByTestId("reaction-picker").getByRole("button", { name: "React with 👍" }).click();
      const chipB = message(pb, "lunch?").locator('[data-testid=reaction][data-emoji="👍"]');
      await chipB.filter({ hasText: "1" }).waitFor();
      expect(await chipB.getAttribute("aria-pressed")).toBe("false");
      await chipB.click();
      await original.locator('[data-testid=reaction][data-emoji="👍"]').filter({ hasText: "2" }).waitFor();
      expect(await chipB.getAttribute("aria-pressed")).toBe("true");
      expect(await chipB.getAttribute("title")).toContain(a.username);
      // A click on my own chip takes mine back.
      await original.locator('[data-testid=reaction][data-emoji="👍"]').click();
      await chipB.filter({ hasText: "1" }).waitFor();
      // Another emoji from the add chip beside the others.
      await message(pb, "lunch?").getByTestId("add-reaction").click();
      await pb.getByTestId("reaction-picker").getByRole("button", { name: "React with 🎉" }).click();
      await pb.getByTestId("reaction-picker").waitFor({ state: "detached" });
      await original.locator('[data-testid=reaction][data-emoji="🎉"]').filter({ hasText: "1" }).waitFor();
      await message(pb, "lunch?").locator('[data-testid=reaction][data-emoji="🎉"]').click(); // and back
      await original.locator('[data-testid=reaction][data-emoji="🎉"]').waitFor({ state: "detached" });
      // In the toolbar the arrows move between its buttons, wrapping around.
      const tools = await actionsOf(pa, original);
      await tools.getByRole("button", { name: "Add reaction" }).focus();
      await pa.keyboard.press("ArrowRight");
      expect(await pa.evaluate(() => document.activeElement?.textContent)).toBe("Reply");
      await pa.keyboard.press("ArrowLeft");
      await pa.keyboard.press("ArrowLeft");
      expect(await pa.evaluate(() => document.activeElement?.textContent)).toBe("Copy");

      // Reply: the composer says to what; the other sees the quote.
      await (await actionsOf(pa, original)).getByRole("button", { name: "Reply" }).click();
      await pa.getByTestId("replying-to").filter({ hasText: "lunch?" }).waitFor();
      await send(pa, "yes, at noon");
      await pa.getByTestId("replying-to").waitFor({ state: "detached" });
      const replyB = message(pb, "yes, at noon");
      await replyB.getByTestId("reply-quote").filter({ hasText: b.username }).filter({ hasText: "lunch?" }).waitFor();

      // Edit in place: Escape cancels, Enter saves; the quote follows the edit.
      // By seq: while edited in place, its text is in the editor, not shown.
      const own = pb.locator(`[data-testid=message][data-seq="${await message(pb, "lunch?").getAttribute("data-seq")}"]`);
      await (await actionsOf(pb, own)).getByRole("button", { name: "Edit" }).click();
      await pb.getByLabel("Edit message").fill("never mind");
      // A reaction arriving meanwhile changes the message in place: the editor keeps what was typed.
      await (await actionsOf(pa, original)).getByRole("button", { name: "Add reaction" }).click();
      await pa.getByTestId("reaction-picker").getByRole("button", { name: "React with 😮" }).click();
      await own.locator('[data-testid=reaction][data-emoji="😮"]').waitFor();
      expect(await pb.getByLabel("Edit message").inputValue()).toBe("never mind");
      await pb.getByLabel("Edit message").press("Escape");
      await pb.getByTestId("edit-box").waitFor({ state: "detached" });
      expect(await own.getByTestId("message-body").textContent()).toContain("lunch?");
      await (await actionsOf(pb, own)).getByRole("button", { name: "Edit" }).click();
      await pb.getByLabel("Edit message").press("Escape");
      // The keyboard way in: Up in the empty composer edits my last message.
      await pb.getByTestId("composer").press("ArrowUp");
      await pb.getByLabel("Edit message").fill(`hello @${a.username}, dinner?`);
      await pb.getByLabel("Edit message").press("Enter");
      const edited = message(pa, "dinner?");
      await edited.getByTestId("edited").waitFor();
      await message(pa, "yes, at noon").getByTestId("reply-quote").filter({ hasText: "dinner?" }).waitFor();
      await replyB.getByTestId("reply-quote").filter({ hasText: "dinner?" }).waitFor();

      await pa.screenshot({ path: join(shots, `lifecycle-${viewport.width}-${scheme}.png`) });
      expect(await axeViolations(pa)).toEqual([]);

      // Delete, after a confirmation: a tombstone for both, the quote says so.
      await (await actionsOf(pb, message(pb, "dinner?"))).getByRole("button", { name: "Delete" }).click();
      const dialog = pb.getByTestId("confirm-dialog");
      await dialog.waitFor();
      expect(await axeViolations(pb)).toEqual([]);
      await dialog.getByRole("button", { name: "Delete" }).click();
      await pa.getByTestId("tombstone").waitFor();
      expect(await pa.getByTestId("message").filter({ hasText: "dinner?" }).count()).toBe(0);
      await message(pa, "yes, at noon").getByTestId("reply-quote").filter({ hasText: "Original message deleted" }).waitFor();
      await pb.getByTestId("tombstone").waitFor();

      // Others' messages offer no edit or delete.
      await (await actionsOf(pb, replyB)).getByRole("button", { name: "Reply" }).waitFor();
      expect(await replyB.getByRole("button", { name: "Edit", exact: true }).count()).toBe(0);
      expect(await replyB.getByRole("button", { name: "Delete", exact: true }).count()).toBe(0);
    }, LONG);
  }

  test("a mention while the room is in the background shows as a mention badge; the room opens at its first unread message; reading clears both", async () => {
    const { a, b, pa } = await pair(DESKTOP, "light");
    const ws = await WsClient.connect(server.url, b);
    try {
      const earlier = await ws.sendMessage(dmId(a, b), "earlier, read");
      await message(pa, "earlier, read").waitFor();
      await pa.waitForFunction(() => !document.querySelector('[data-testid=room][aria-current=true] [data-testid=unread]'));
      // Alice looks at another room while Bob reacts (a change takes the next seq), mentions her twice and writes once without.
      await pa.locator('nav[aria-label="Conversations"] [data-room="general"]').click();
      await pa.getByRole("heading", { name: /general/ }).waitFor();
      await ws.request({ type: "react", room: dmId(a, b), id: earlier.id, emoji: "👍", on: true }, "ack");
      await ws.sendMessage(dmId(a, b), `@${a.username} one`);
      await ws.sendMessage(dmId(a, b), "no mention");
      await ws.sendMessage(dmId(a, b), `@${a.username} two`);
    } finally {
      ws.close();
    }
    const dm = pa.locator(`[data-testid=room][data-room="${dmId(a, b)}"]`);
    await dm.getByTestId("mentions").filter({ hasText: "2 mentions" }).waitFor();
    expect(await dm.getByTestId("unread").textContent()).toContain("3");
    await dm.click();
    // The divider sits right above the first unread message, not lost on the reaction's seq.
    await pa.getByTestId("unread-divider").waitFor();
    expect(await pa.locator("[data-testid=message-row]:has([data-testid=unread-divider]) [data-testid=message-body]").textContent()).toContain("one");
    await dm.getByTestId("unread").waitFor({ state: "detached" });
    expect(await dm.getByTestId("mentions").count()).toBe(0);
  }, LONG);
  test("a page offline during an edit, a delete and reactions catches up on reconnect, exactly as history shows it", async () => {
    const { a, b, pa, room } = await pair(DESKTOP, "light");
    const wb = await WsClient.connect(server.url, b);
    try {
      const [keep, edit, gone] = [await wb.sendMessage(room, "keep me"), await wb.sendMessage(room, "edit me"), await wb.sendMessage(room, "delete me")];
      await message(pa, "delete me").waitFor();
      // Offline: the socket drops and cannot come back until the ticket is let through.
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      await pa.route("**/api/auth/ws-ticket", async (route) => {
        await held;
        await route.continue();
      });
      await pa.evaluate(() => (window as unknown as { __chatDrop: () => void }).__chatDrop());
      await pa.getByTestId("connection-banner").waitFor();
      await wb.request({ type: "edit", room, id: edit.id, body: "edited while away", clientId: crypto.randomUUID() }, "ack");
      await wb.request({ type: "delete", room, id: gone.id }, "ack");
      for (const [emoji, on] of [["👍", true], ["🎉", true], ["❤️", true], ["🎉", false]] as const) {
        await wb.request({ type: "react", room, id: keep.id, emoji, on }, "ack");
      }
      await wb.sendMessage(room, "written while away");
      release();
      await pa.unroute("**/api/auth/ws-ticket");

      const state = async (page: Page) => {
        await message(page, "written while away").waitFor();
        return {
          edited: await message(page, "edited while away").getByTestId("edited").count(),
          tombstones: await page.getByTestId("tombstone").count(),
          deletedText: await message(page, "delete me").count(),
          reactions: await message(page, "keep me").getByTestId("reaction").evaluateAll((els) => els.map((e) => `${e.getAttribute("data-emoji")}${e.textContent?.replace(/\D/g, "")}`)),
        };
      };
      const live = await state(pa);
      expect(live).toEqual({ edited: 1, tombstones: 1, deletedText: 0, reactions: ["👍1", "❤️1"] });
      // The same page reloaded builds it from history instead: the same state.
      await pa.reload();
      await pa.getByTestId("connection").filter({ hasText: a.username }).waitFor();
      await openConversation(pa, room, b.username);
      expect(await state(pa)).toEqual(live);
    } finally {
      wb.close();
    }
  }, LONG);

  test("a reply's quote shows the original: from what is held, or loading the page around it", async () => {
    const { a, b, pa, room } = await pair(DESKTOP, "light");
    const [wa, wb] = [await WsClient.connect(server.url, a), await WsClient.connect(server.url, b)];
    try {
      const original = await wb.sendMessage(room, "the very first question");
      for (let i = 0; i < 130; i += 10) await Promise.all(Array.from({ length: 10 }, (_, j) => wb.sendMessage(room, `filler ${i + j}`)));
      const reply = await wb.request({ type: "send", room, body: "answering myself", clientId: crypto.randomUUID(), replyTo: original.id }, "ack");
      // Read up to the end, so the page opens at the newest messages only.
      wa.send({ type: "read", room, seq: reply.seq });
      await wb.next("read", (r) => r.userId === a.id && r.seq === reply.seq);
      await pa.reload();
      await pa.getByTestId("connection").filter({ hasText: a.username }).waitFor();
      await openConversation(pa, room, b.username);
      const quote = message(pa, "answering myself").getByTestId("reply-quote");
      await quote.filter({ hasText: "the very first question" }).waitFor();
      expect(await message(pa, "the very first question").count()).toBe(0);
      await quote.click();
      const shown = message(pa, "the very first question");
      await shown.and(pa.locator("[data-highlighted=true]")).waitFor();
      expect(await shown.getAttribute("data-seq")).toBe(String(original.seq));
    } finally {
      wa.close();
      wb.close();
    }
  }, LONG);

  test("a group's creator can delete a member's message; a member cannot delete the creator's", async () => {
    const [a, b] = [await register(server.url, "own", PASSWORD), await register(server.url, "mem", PASSWORD)];
    await befriend(server.url, a, b);
    const group = (await api(server.url, "POST", "/api/groups", { token: a.accessToken, body: { name: "Crew", members: [b.id] } })).body.id as string;
    const [pa, pb] = [await signedIn(a, DESKTOP, "light"), await signedIn(b, DESKTOP, "dark")];
    await openConversation(pa, group, "Crew");
    await openConversation(pb, group, "Crew");
    await send(pa, "creator speaking");
    await send(pb, "member speaking");
    await message(pa, "member speaking").waitFor();
    const fromCreator = message(pb, "creator speaking");
    await (await actionsOf(pb, fromCreator)).getByRole("button", { name: "Reply" }).waitFor();
    expect(await fromCreator.getByRole("button", { name: "Delete", exact: true }).count()).toBe(0);
    await (await actionsOf(pa, message(pa, "member speaking"))).getByRole("button", { name: "Delete", exact: true }).click();
    await pa.getByTestId("confirm-dialog").getByRole("button", { name: "Delete" }).click();
    await pb.getByTestId("tombstone").waitFor();
    expect(await message(pb, "member speaking").count()).toBe(0);
  }, LONG);

  test("attachments: an image shows inline at its preview size for the other and opens in a viewer; a file is a card that downloads; paste and drop attach; an upload can be cancelled", async () => {
    const { pa, pb } = await pair(DESKTOP, "dark");
    // A real PNG, drawn by the browser.
    const png = Buffer.from((await pa.evaluate(() => {
      const c = document.createElement("canvas");
      c.width = 1200;
      c.height = 800;
      const g = c.getContext("2d")!;
      g.fillStyle = "#3b82f6";
      g.fillRect(0, 0, 1200, 800);
      g.fillStyle = "#f59e0b";
      g.fillRect(100, 100, 400, 300);
      return c.toDataURL("image/png");
    })).split(",")[1]!, "base64");
    await pa.getByTestId("file-input").setInputFiles({ name: "plan.png", mimeType: "image/png", buffer: png });
    const chip = pa.getByTestId("upload").filter({ hasText: "plan.png" });
    await chip.and(pa.locator('[data-status="done"]')).waitFor({ timeout: 20_000 });
    await send(pa, "the plan");
    const image = message(pb, "the plan").getByTestId("image");
    await image.waitFor();
    // The space is reserved from the preview size before the bytes arrive (no layout shift).
    const img = image.locator("img");
    const [w, h] = [Number(await img.getAttribute("width")), Number(await img.getAttribute("height"))];
    expect(w).toBeGreaterThan(0);
    expect(w / h).toBeCloseTo(1.5, 1);
    await pb.waitForFunction((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0, await img.elementHandle(), { timeout: 15_000 });
    await pb.screenshot({ path: join(shots, "lifecycle-image-dark.png") });
    await image.click();
    const viewer = pb.getByTestId("image-viewer");
    await viewer.waitFor();
    expect(await axeViolations(pb)).toEqual([]);
    await pb.keyboard.press("Escape");
    await viewer.waitFor({ state: "detached" });

    // Any other file: a card with name, size and a download link that works (the file cookie).
    await pa.getByTestId("file-input").setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("meeting notes\n".repeat(100)) });
    await pa.getByTestId("upload").filter({ hasText: "notes.txt" }).and(pa.locator('[data-status="done"]')).waitFor({ timeout: 20_000 });
    await pa.getByTestId("composer").press("Enter"); // files alone may be sent without text
    const card = pb.getByTestId("file-card").filter({ hasText: "notes.txt" });
    await card.filter({ hasText: "1.4 KB" }).waitFor();
    const download = await pb.evaluate(async (href) => {
      const r = await fetch(href);
      return { status: r.status, text: (await r.text()).slice(0, 13) };
    }, (await card.getAttribute("href"))!);
    expect(download).toEqual({ status: 200, text: "meeting notes" });
    const fileHref = (await card.getAttribute("href"))!;

    // An upload on its way can be cancelled: its chip goes, nothing is sent.
    await pa.route("**/api/files?*", () => {}); // never answered
    await pa.getByTestId("file-input").setInputFiles({ name: "big.bin", mimeType: "application/octet-stream", buffer: Buffer.alloc(200_000, 7) });
    const uploading = pa.getByTestId("upload").filter({ hasText: "big.bin" });
    await uploading.and(pa.locator('[data-status="uploading"]')).waitFor();
    expect(await pa.getByRole("button", { name: "Send" }).isDisabled()).toBe(true);
    await uploading.getByRole("button", { name: "Cancel upload of big.bin" }).click();
    await uploading.waitFor({ state: "detached" });
    await pa.unroute("**/api/files?*");

    // Pasting files into the composer and dropping them on the conversation attach them too.
    await pa.evaluate(() => {
      const files = (name: string) => {
        const dt = new DataTransfer();
        dt.items.add(new File([`${name} body`], name, { type: "text/plain" }));
        return dt;
      };
      document.querySelector("#composer")!.dispatchEvent(new ClipboardEvent("paste", { clipboardData: files("pasted.txt"), bubbles: true, cancelable: true }));
      const pane = document.querySelector('section[aria-label="Conversation"]')!;
      pane.dispatchEvent(new DragEvent("dragover", { dataTransfer: files("dropped.txt"), bubbles: true, cancelable: true }));
      pane.dispatchEvent(new DragEvent("drop", { dataTransfer: files("dropped.txt"), bubbles: true, cancelable: true }));
    });
    for (const name of ["pasted.txt", "dropped.txt"]) await pa.getByTestId("upload").filter({ hasText: name }).and(pa.locator('[data-status="done"]')).waitFor();
    await pa.getByTestId("composer").press("Enter");
    await pb.getByTestId("file-card").filter({ hasText: "dropped.txt" }).waitFor();
    await pb.getByTestId("file-card").filter({ hasText: "pasted.txt" }).waitFor();

    // Logging out takes the file cookie away: the link no longer downloads in this browser.
    await pb.getByRole("button", { name: "Log out" }).click();
    await pb.getByLabel("Username").waitFor();
    expect(await pb.evaluate(async (href) => (await fetch(href)).status, fileHref)).toBe(401);
  }, LONG);
});
