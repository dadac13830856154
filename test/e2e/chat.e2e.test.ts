/** The web client in a real headless Chromium against a real server: what Alice and Bob see. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { uniqueName } from "../support/client.ts";
import { enginesRequired } from "../support/engines.ts";
import { describeIf } from "../support/skips.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { haveChromium, launch, scratchShots } from "./browser.ts";

const run = haveChromium() || enginesRequired(); // in CI a missing browser is a failure, not a skip

describeIf(run, "web client", "needs Chromium (/usr/bin/chromium)", () => {
  let server: TestServer;
  let browser: Browser;
  let shots: string;
  let alice: { ctx: BrowserContext; page: Page; name: string };
  let bob: { ctx: BrowserContext; page: Page; name: string };

  /** What the server's Content-Security-Policy blocked in the client (must stay empty). */
  const cspViolations: string[] = [];

  const signUp = async (name: string) => {
    const ctx = await browser.newContext({ viewport: { width: 1100, height: 720 } });
    const page = await ctx.newPage();
    page.on("console", (m) => {
      if (m.type() === "error" && m.text().includes("Content Security Policy")) cspViolations.push(m.text());
    });
    await page.goto(server.url);
    await page.getByRole("button", { name: "No account? Sign up" }).click();
    await page.getByLabel("Username").fill(name);
    await page.getByLabel("Password").fill("correct horse battery");
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.getByTestId("connection").filter({ hasText: name }).waitFor();
    return { ctx, page, name };
  };

  beforeAll(async () => {
    const build = Bun.spawnSync(["npm", "run", "build:client"], { cwd: join(import.meta.dir, "..", ".."), stdout: "pipe", stderr: "pipe" });
    if (build.exitCode !== 0) throw new Error(`client build failed: ${build.stderr}`);
    server = await startServer({ env: { SERVE_CLIENT: "true", TYPING_TTL_MS: "4000" } });
    browser = await launch();
    shots = scratchShots(); // never docs/screenshots: `npm run screenshots` refreshes those on purpose
    alice = await signUp(uniqueName("alice"));
    bob = await signUp(uniqueName("bob"));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.cleanup();
  });

  test("friends, a DM, typing, reload, offline, reconnect and inert HTML", async () => {
    // Alice asks Bob; Bob accepts.
    await alice.page.getByLabel("Find people by name").fill(bob.name);
    await alice.page.getByRole("button", { name: `Add ${bob.name} as a friend` }).click();
    await bob.page.getByRole("button", { name: "Accept" }).click({ timeout: 10_000 });
    await alice.page.getByRole("button", { name: bob.name, exact: true }).click({ timeout: 10_000 });
    await bob.page.getByRole("button", { name: alice.name, exact: true }).click({ timeout: 10_000 });

    // Alice types: Bob sees it.
    await alice.page.getByLabel("Message", { exact: true }).pressSequentially("hi B", { delay: 20 });
    await bob.page.getByTestId("typing").filter({ hasText: `${alice.name} is typing` }).waitFor({ timeout: 5000 });
    await alice.page.getByLabel("Message", { exact: true }).fill("hi Bob, see https://example.com");
    await alice.page.getByLabel("Message", { exact: true }).press("Enter");
    await bob.page.getByTestId("message").filter({ hasText: "hi Bob" }).waitFor();
    const link = bob.page.getByRole("link", { name: "https://example.com" });
    expect(await link.getAttribute("rel")).toBe("noopener noreferrer");
    await alice.page.screenshot({ path: join(shots, "conversation.png") });

    // Hostile HTML renders as text.
    const hostile = `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">`;
    await alice.page.getByLabel("Message", { exact: true }).fill(hostile);
    await alice.page.getByLabel("Message", { exact: true }).press("Enter");
    await bob.page.getByTestId("message").filter({ hasText: "<img src=x" }).waitFor();
    expect(await bob.page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await bob.page.locator("[data-testid=messages] img").count()).toBe(0);

    // A reload keeps the history.
    await bob.page.reload();
    await bob.page.getByRole("button", { name: `@${alice.name}` }).click();
    await bob.page.getByTestId("message").filter({ hasText: "hi Bob" }).waitFor();

    // Bob's connection drops; Alice sends meanwhile; after reconnecting Bob sees each message once.
    await bob.page.evaluate(() => (window as unknown as { __chatDrop: () => void }).__chatDrop());
    await bob.page.getByTestId("connection").filter({ hasText: "reconnecting" }).waitFor({ timeout: 5000 }).catch(() => {});
    for (const n of [1, 2, 3]) {
      await alice.page.getByLabel("Message", { exact: true }).fill(`while away ${n}`);
      await alice.page.getByLabel("Message", { exact: true }).press("Enter");
    }
    await bob.page.getByTestId("message").filter({ hasText: "while away 3" }).waitFor({ timeout: 15_000 });
    for (const n of [1, 2, 3]) expect(await bob.page.getByTestId("message").filter({ hasText: `while away ${n}` }).count()).toBe(1);
    await bob.page.screenshot({ path: join(shots, "reconnected.png") });

    // Bob closes his page: Alice sees him go offline.
    await bob.ctx.close();
    await alice.page.getByTestId(`presence-${bob.name}`).filter({ hasText: /last seen|offline/ }).waitFor({ timeout: 15_000 });
    await alice.page.screenshot({ path: join(shots, "sidebar-offline.png") });
  }, 120_000);

  test("the client runs under the server's Content-Security-Policy without a violation", async () => {
    const res = await fetch(server.url);
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    // The flow above loaded, reloaded and used every screen; nothing was blocked meanwhile.
    expect(cspViolations).toEqual([]);
  });
});
