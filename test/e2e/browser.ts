import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const haveChromium = () => existsSync(CHROMIUM);
export const PASSWORD = "correct horse battery";

export const PHONE = { width: 390, height: 844 } as const;
export const DESKTOP = { width: 1280, height: 800 } as const;
export type Viewport = { width: number; height: number };
export type Scheme = "light" | "dark";

/** Debian's Chromium, headless; never a downloaded browser. */
export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
  });
}

/** Where a test run's screenshots go: a scratch folder, never the tracked docs/screenshots. */
export const scratchShots = () => mkdtempSync(join(tmpdir(), "chat-shots-"));

export interface User {
  ctx: BrowserContext;
  page: Page;
  name: string;
}

export interface ClientOptions {
  viewport?: Viewport;
  colorScheme?: Scheme;
  /** For injecting axe-core: the server's CSP (rightly) refuses inline scripts. */
  bypassCSP?: boolean;
  /** A touch screen (long presses instead of hover). */
  hasTouch?: boolean;
}

export async function openClient(browser: Browser, url: string, opts: ClientOptions = {}) {
  const ctx = await browser.newContext({ viewport: opts.viewport ?? DESKTOP, colorScheme: opts.colorScheme ?? "light", bypassCSP: opts.bypassCSP ?? false, hasTouch: opts.hasTouch ?? false });
  const page = await ctx.newPage();
  await page.goto(url);
  return { ctx, page };
}

/** Signs up through the form and waits until the live connection is up. */
export async function signUp(browser: Browser, url: string, name: string, opts: ClientOptions = {}): Promise<User> {
  const { ctx, page } = await openClient(browser, url, opts);
  await page.getByRole("button", { name: "No account? Sign up" }).click();
  await page.getByLabel("Username").fill(name);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.getByTestId("connection").filter({ hasText: name }).waitFor();
  return { ctx, page, name };
}

export async function logIn(page: Page, name: string) {
  await page.getByLabel("Username").fill(name);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByTestId("connection").filter({ hasText: name }).waitFor();
}

/** Friends through the UI: `a` finds `b` by part of the name, `b` accepts. */
export async function befriendInUi(a: User, b: User) {
  await a.page.getByLabel("Find people by name").fill(b.name.slice(0, -2));
  await a.page.getByRole("button", { name: `Add ${b.name} as a friend` }).click();
  await b.page.getByTestId("incoming").filter({ hasText: a.name }).getByRole("button", { name: "Accept" }).click();
  await a.page.getByTestId("friend").filter({ hasText: b.name }).waitFor();
}

/** Opens the DM with a friend from the friends list and waits until it is the open conversation. */
export async function openDm(u: User, friend: string) {
  await u.page.getByTestId("friend").filter({ hasText: friend }).getByRole("button", { name: friend, exact: true }).click();
  // Attached, not visible: on a phone the list hides once the conversation opens.
  await u.page.locator("[data-testid=room][data-kind=dm][aria-current=true]").filter({ hasText: `@${friend}` }).waitFor({ state: "attached" });
}

export async function send(page: Page, text: string) {
  await page.getByLabel("Message", { exact: true }).fill(text);
  await page.getByLabel("Message", { exact: true }).press("Enter");
}

const AXE_SOURCE = readFileSync(join(createRequire(import.meta.url).resolve("axe-core"), "..", "axe.min.js"), "utf8");

/** axe-core in the page (WCAG 2.1 A/AA rules); returns the serious and critical violations, readable. */
export async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through the debugging protocol: an inline <script> tag would be blocked by the server's CSP.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; impact: string | null; nodes: { target: unknown[]; failureSummary?: string }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ""}`) }));
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.nodes.slice(0, 3).join(" | ")}`);
}
