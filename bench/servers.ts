/** Starts the servers under test, each pinned to the server core, and waits until they listen. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import type { Protocol } from "./generator/clients.ts";

export const ROOT = join(import.meta.dir, "..");
export const SERVER_CPU = "0";
export const GENERATOR_CPU = "1";

/** The servers under test: the project in its two modes and the two baselines. */
export type ServerName = "project" | "scaleout" | "bare" | "socketio";
export const protocolOf = (name: ServerName): Protocol => (name === "scaleout" ? "project" : name);

/**
 * The benchmark measures the server, not the per-user abuse limits: per-user send and AI rate
 * limits are raised far above what the generator produces (printed with the results).
 */
export const RAISED_LIMITS: Record<string, string> = {
  SEND_RATE_PER_SEC: "1000000",
  SEND_BURST: "1000000",
  LOGIN_MAX_ATTEMPTS: "1000000",
  AI_RATE_PER_MIN: "1000000",
};

export interface RunningServer {
  name: ServerName;
  url: string;
  pid: number;
  proc: Subprocess;
  /** Spawn → the "listening" log line. */
  listeningMs: number;
  /** Spawn → the first 200 from /api/health (project) or the listening line (baselines). */
  healthyMs: number;
  stop(): Promise<void>;
}

/** Every process started here; killed when the benchmark exits, even on a crash. */
const children = new Set<Subprocess>();
const killChildren = () => {
  for (const c of children) c.kill("SIGKILL");
};
process.on("exit", killChildren);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(130));
const track = (proc: Subprocess) => {
  children.add(proc);
  void proc.exited.then(() => children.delete(proc));
  return proc;
};

/** Pinned to one core, with room for thousands of sockets. */
const pinned = (cpu: string | null, cmd: string[]) => {
  const shell = ["bash", "-c", `ulimit -n $(ulimit -Hn); exec ${cmd.map((a) => `'${a}'`).join(" ")}`];
  return cpu === null ? shell : ["taskset", "-c", cpu, ...shell];
};

export interface StartOptions {
  env?: Record<string, string>;
  /** null: not pinned (for the cold-start comparison only). */
  cpu?: string | null;
}

export async function startServer(name: ServerName, port: number, opts: StartOptions = {}): Promise<RunningServer> {
  const cmd =
    name === "project" || name === "scaleout"
      ? [process.execPath, join(ROOT, "src/main.ts")]
      : name === "bare"
        ? [process.execPath, join(ROOT, "bench/baselines/bare-bun.ts")]
        : ["node", join(ROOT, "bench/baselines/socketio-server.mjs")];
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const proc = track(Bun.spawn(pinned(opts.cpu === undefined ? SERVER_CPU : opts.cpu, cmd), {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: mkdtempSync(join(tmpdir(), "chat-bench-")),
      SERVE_CLIENT: "false",
      ...RAISED_LIMITS,
      ...opts.env,
    },
    stdout: "pipe",
    stderr: "inherit",
  }));
  // /api/health is polled while the log is read, so both moments come from the same start.
  let healthyMs = -1;
  let stopPolling = false;
  const polling =
    protocolOf(name) === "project"
      ? (async () => {
          for (let i = 0; i < 20_000 && !stopPolling; i++) {
            const ok = await fetch(`${url}/api/health`).then((r) => r.ok, () => false);
            if (ok) return void (healthyMs = performance.now() - started);
            await Bun.sleep(2);
          }
        })()
      : Promise.resolve();
  const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
  let buf = "";
  for (;;) {
    const r = await reader.read();
    if (r.done) {
      stopPolling = true;
      throw new Error(`${name} exited before listening`);
    }
    buf += new TextDecoder().decode(r.value);
    if (buf.includes('"msg":"listening"')) break;
  }
  const listeningMs = performance.now() - started;
  await Promise.race([polling, Bun.sleep(30_000)]);
  stopPolling = true;
  if (healthyMs < 0) healthyMs = listeningMs;
  void (async () => {
    for (let r = await reader.read(); !r.done; r = await reader.read());
  })();
  return {
    name,
    url,
    pid: proc.pid,
    proc,
    listeningMs,
    healthyMs,
    async stop() {
      proc.kill("SIGTERM");
      const exited = await Promise.race([proc.exited.then(() => true), Bun.sleep(10_000).then(() => false)]);
      if (!exited) {
        proc.kill("SIGKILL");
        await proc.exited;
      }
    },
  };
}

/** Resident memory of a process in KiB. */
export function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

/** A generator script running on the generator core. */
export interface Generator<T> {
  proc: Subprocess;
  /** The first JSON line it prints. */
  result: Promise<T>;
}

export function startGenerator<T>(script: string, config: unknown): Generator<T> {
  // The config goes through a file: it holds hundreds of tokens, too long for argv.
  const file = join(mkdtempSync(join(tmpdir(), "chat-bench-gen-")), "config.json");
  writeFileSync(file, JSON.stringify(config));
  const proc = track(Bun.spawn(pinned(GENERATOR_CPU, [process.execPath, join(ROOT, "bench/generator", script), file]), {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "inherit",
  }));
  const result = (async () => {
    const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
    let buf = "";
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      buf += new TextDecoder().decode(r.value);
      const nl = buf.indexOf("\n");
      if (nl >= 0) {
        const line = buf.slice(0, nl);
        void (async () => {
          for (let x = await reader.read(); !x.done; x = await reader.read());
        })();
        if (line.startsWith("{")) return JSON.parse(line) as T;
        break;
      }
    }
    throw new Error(`${script} printed no result`);
  })();
  return { proc, result };
}

/** Runs a generator to completion and returns its result. */
export async function runGenerator<T>(script: string, config: unknown): Promise<T> {
  const g = startGenerator<T>(script, config);
  const result = await g.result;
  await g.proc.exited;
  return result;
}
