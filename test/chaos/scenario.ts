/**
 * One chaos scenario: real servers, real clients sending continuously into one group, one fault
 * injected and healed, then an audit of what was acked, stored and seen. Shared by `npm run chaos`
 * (every fault) and the short form in `npm test`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { api, befriend, register, sleep, type Account } from "../support/client.ts";
import { until } from "../support/engine-ctl.ts";
import { scaleOutEnv } from "../support/engines.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { ChaosClient } from "./client.ts";
import { ChaosProxy } from "./proxy.ts";

export interface FaultContext {
  servers: TestServer[];
  clients: ChaosClient[];
  /** In front of servers[0]; clients[0] connects through it only. */
  proxy: ChaosProxy;
  dataDir: string;
  /** kill -9 then start again on the same port and data (embedded) or environment (scale-out). */
  restart(i: number): Promise<void>;
  log(line: string): void;
}

export interface Fault {
  name: string;
  mode: "embedded" | "scale-out";
  instances?: 1 | 2;
  /** A data dir on a small tmpfs (disk-full faults). */
  smallDisk?: boolean;
  /** Injects the fault, keeps it a while, heals it; resolves at the moment it is healed. */
  inject(ctx: FaultContext): Promise<void>;
}

export interface Result {
  fault: string;
  sent: number;
  acked: number;
  stored: number;
  delivered: number;
  lost: number;
  duplicated: number;
  gaps: number;
  rejected: number;
  recoverMs: number;
  presenceOk: boolean;
  error?: string;
}

const CLIENTS = 5;
const SEND_EVERY_MS = 100;
const BEFORE_FAULT_MS = 1500;

export async function runScenario(fault: Fault, log: (line: string) => void = () => {}): Promise<Result> {
  const dataDir = mkdtempSync(join(tmpdir(), "chat-chaos-"));
  let mounted = false;
  if (fault.smallDisk) {
    await sh(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", dataDir]);
    mounted = true;
  }
  const env =
    fault.mode === "scale-out"
      ? scaleOutEnv({ SEND_RATE_PER_SEC: "1000", SEND_BURST: "1000", PRESENCE_TTL_SEC: "4", STORAGE_TIMEOUT_MS: "2000", PARKED_RETRY_MS: "300", PARKED_RETRY_MAX_MS: "1500", WS_BACKPRESSURE_BYTES: "8192" })
      : { SEND_RATE_PER_SEC: "1000", SEND_BURST: "1000", STORAGE_TIMEOUT_MS: "2000", TEST_FAULT_HOOKS: "true" };
  const servers: TestServer[] = [];
  const proxy = new ChaosProxy(0);
  const clients: ChaosClient[] = [];
  try {
    for (let i = 0; i < (fault.instances ?? 1); i++) {
      servers.push(await startServer({ env, ...(fault.mode === "embedded" ? { dataDir } : {}) }));
    }
    proxy.upstreamPort = servers[0]!.port;
    proxy.start();
    const base = servers[0]!.url;
    const accounts: Account[] = [];
    for (let i = 0; i < CLIENTS; i++) accounts.push(await register(base, "cx"));
    const [owner, ...others] = accounts as [Account, ...Account[]];
    for (const o of others) await befriend(base, owner, o);
    const room = (await api(base, "POST", "/api/groups", { token: owner.accessToken, body: { name: "chaos", members: others.map((o) => o.id) } })).body.id as string;

    const urlsFor = (i: number) => () => {
      const live = servers.map((s) => s.url);
      if (i === 0) return [proxy.url]; // the client behind the controllable network
      return fault.instances === 2 ? [live[i % live.length]!, ...live] : live;
    };
    accounts.forEach((a, i) => clients.push(new ChaosClient(`c${i}`, a, room, urlsFor(i))));
    for (const c of clients) {
      c.start(SEND_EVERY_MS);
      c.resumeSending();
    }
    await until("every client connected", async () => clients.every((c) => c.connected), 30_000);
    await sleep(BEFORE_FAULT_MS);

    const ctx: FaultContext = {
      servers,
      clients,
      proxy,
      dataDir,
      log,
      async restart(i) {
        const s = servers[i]!;
        await s.crash();
        servers[i] = await startServer({ env, port: s.port, ...(fault.mode === "embedded" ? { dataDir } : {}) });
      },
    };
    log(`${fault.name}: injecting`);
    await fault.inject(ctx);
    const healedAt = Date.now();
    // Recovered: every client connected again and every message it sent before now acked.
    const marks = clients.map((c) => c.sent);
    await until(
      "recovery",
      async () => clients.every((c, i) => c.connected && c.acked.size >= marks[i]! && c.pending === 0),
      90_000,
      100,
    );
    const recoverMs = Date.now() - healedAt;
    log(`${fault.name}: recovered in ${recoverMs} ms`);
    await sleep(BEFORE_FAULT_MS);
    for (const c of clients) c.pauseSending();
    await until("the last sends acked", async () => clients.every((c) => c.pending === 0), 60_000, 100);
    if (fault.mode === "scale-out") await persisted(servers);

    const stored = await storedMessages(servers.map((s) => s.url), owner, room);
    const maxSeq = stored.reduce((m, s) => Math.max(m, s.seq), 0);
    for (const c of clients) c.resume();
    await until("every client caught up", async () => clients.every((c) => c.lastSeq >= maxSeq), 60_000, 100);

    const acked = clients.flatMap((c) => [...c.acked.values()]);
    const storedIds = new Map<string, number>();
    for (const m of stored) storedIds.set(m.id, (storedIds.get(m.id) ?? 0) + 1);
    const seqs = new Set(stored.map((m) => m.seq));
    const lost = acked.filter((a) => !storedIds.has(a.id)).length;
    const duplicated =
      [...storedIds.values()].filter((n) => n > 1).length +
      (stored.length - seqs.size) +
      clients.reduce((n, c) => n + c.duplicates, 0);
    const gaps = maxSeq - seqs.size + clients.reduce((n, c) => n + (maxSeq - c.seen.size), 0);

    // Presence settles to the truth: one client leaves, the owner sees it offline and the rest online.
    const leaving = clients.at(-1)!;
    leaving.close();
    let presenceOk = false;
    await until(
      "presence to settle",
      async () => {
        const r = await api(servers[0]!.url, "GET", "/api/friends", { token: owner.accessToken });
        if (r.status !== 200) return false;
        const online = new Map<string, boolean>(r.body.friends.map((f: { id: string; online: boolean }) => [f.id, f.online]));
        presenceOk = clients.slice(1).every((c) => online.get(c.account.id) === (c !== leaving));
        return presenceOk;
      },
      30_000,
      250,
    ).catch(() => {});

    return {
      fault: fault.name,
      sent: clients.reduce((n, c) => n + c.sent, 0),
      acked: acked.length,
      stored: stored.length,
      delivered: clients.reduce((n, c) => n + c.seen.size, 0),
      lost,
      duplicated,
      gaps,
      rejected: clients.reduce((n, c) => n + c.rejected, 0),
      recoverMs,
      presenceOk,
    };
  } catch (err) {
    return { fault: fault.name, sent: 0, acked: 0, stored: 0, delivered: 0, lost: -1, duplicated: -1, gaps: -1, rejected: 0, recoverMs: -1, presenceOk: false, error: err instanceof Error ? err.message : String(err) };
  } finally {
    for (const c of clients) c.close();
    proxy.stop();
    await Promise.all(servers.map((s) => s.stop("SIGKILL")));
    if (mounted) await sh(["umount", "-l", dataDir]).catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Scale-out: wait until the pipeline has nothing parked and the consumer committed everything. */
async function persisted(servers: TestServer[]) {
  await until(
    "persistence to drain",
    async () => {
      const h = await api(servers[0]!.url, "GET", "/api/health");
      const k = h.body?.engines?.find((e: { name: string }) => e.name === "kafka");
      return k?.parked === 0 && k?.lag === 0;
    },
    90_000,
    500,
  );
}

/** Every message of the room, from the store, through the REST API (pages newest first). */
async function storedMessages(urls: string[], reader: Account, room: string) {
  const out: { id: string; seq: number }[] = [];
  let before: number | undefined;
  for (;;) {
    const q = before === undefined ? "" : `&before=${before}`;
    const r = await api(urls[0]!, "GET", `/api/conversations/${room}/messages?limit=100${q}`, { token: reader.accessToken });
    if (r.status !== 200) throw new Error(`history: ${r.status} ${JSON.stringify(r.body)}`);
    out.push(...(r.body.messages as { id: string; seq: number }[]));
    if (r.body.nextBefore == null) return out;
    before = r.body.nextBefore as number;
  }
}

export async function sh(cmd: string[]): Promise<string> {
  const p = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe" });
  const [code, out, err] = await Promise.all([p.exited, new Response(p.stdout).text(), new Response(p.stderr).text()]);
  if (code !== 0) throw new Error(`${cmd.join(" ")}: ${err || out}`);
  return out;
}
