/** Starts the servers under test, each pinned to the server core, and waits until they listen. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import type { Protocol } from "./generator/clients.ts";

export const ROOT = join(import.meta.dir, "..");
export const SERVER_CPU = "0";
export const GENERATOR_CPU = "1";

/** The servers under test: the project in its two modes and the baselines. */
export type ServerName = "project" | "scaleout" | "bare" | "socketio" | "centrifugo";
export const protocolOf = (name: ServerName): Protocol => (name === "scaleout" ? "project" : name);
/** Servers that need accounts (the project's two modes). */
export const isProject = (name: ServerName) => protocolOf(name) === "project";

/**
 * The benchmark measures the server, not the per-user abuse limits: per-user send and AI rate
 * limits are raised far above what the generator produces (printed with the results).
 */
export const RAISED_LIMITS: Record<string, string> = {
  SEND_RATE_PER_SEC: "1000000",
  SEND_BURST: "1000000",
  LOGIN_MAX_ATTEMPTS: "1000000",
  LOGIN_ADDRESS_MAX_ATTEMPTS: "1000000",
  // Every benchmark account registers from 127.0.0.1.
  REGISTER_MAX_PER_ADDRESS: "1000000",
  // A group's creator befriends its 49 other members while the benchmark sets up.
  FRIEND_REQUESTS_PER_HOUR: "1000000",
  FRIEND_REQUESTS_PENDING_MAX: "1000000",
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
  /** An existing data directory (e.g. seeded); default a fresh one. */
  dataDir?: string;
  /** Extra arguments to bun before the entrypoint (the project; e.g. the CPU profiler). */
  runtimeArgs?: string[];
}

/** Centrifugo v6.9.1, built by `bash scripts/engines/install.sh centrifugo` (cached like the engines). */
export const CENTRIFUGO_BIN = join(process.env.ENGINES_CACHE ?? join(homedir(), ".cache/chat-engines"), "centrifugo-v6.9.1/centrifugo");

/**
 * Centrifugo as a peer: insecure client mode (no JWT), every channel open to subscribe and publish
 * by clients, with history and recovery on (the closest it has to the project's resume).
 */
function centrifugoCommand(port: number): string[] {
  if (!existsSync(CENTRIFUGO_BIN)) throw new Error(`centrifugo not installed (bash scripts/engines/install.sh centrifugo)`);
  const file = join(mkdtempSync(join(tmpdir(), "chat-bench-centrifugo-")), "config.json");
  writeFileSync(file, JSON.stringify({
    http_server: { address: "127.0.0.1", port },
    log: { level: "error" },
    client: { insecure: true, allowed_origins: ["*"] },
    channel: { without_namespace: { allow_subscribe_for_client: true, allow_publish_for_client: true, history_size: 200, history_ttl: "300s", force_recovery: true } },
  }));
  return [CENTRIFUGO_BIN, "--config", file];
}

export async function startServer(name: ServerName, port: number, opts: StartOptions = {}): Promise<RunningServer> {
  const cmd =
    name === "project" || name === "scaleout"
      ? [process.execPath, ...(opts.runtimeArgs ?? []), join(ROOT, "src/main.ts")]
      : name === "bare"
        ? [process.execPath, join(ROOT, "bench/baselines/bare-bun.ts")]
        : name === "centrifugo"
          ? centrifugoCommand(port)
          : ["node", join(ROOT, "bench/baselines/socketio-server.mjs")];
  // A directory made here is this server's alone, removed when it stops; a given one is the caller's.
  const ownDir = opts.dataDir === undefined ? mkdtempSync(join(tmpdir(), "chat-bench-")) : null;
  const dataDir = opts.dataDir ?? ownDir!;
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const proc = track(Bun.spawn(pinned(opts.cpu === undefined ? SERVER_CPU : opts.cpu, cmd), {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      SERVE_CLIENT: "false",
      // Go servers use as many threads as the cores they are given (one, like the others).
      GOMAXPROCS: "1",
      ...RAISED_LIMITS,
      ...opts.env,
    },
    stdout: "pipe",
    stderr: "inherit",
  }));
  // /api/health is polled while the log is read, so both moments come from the same start.
  let healthyMs = -1;
  let stopPolling = false;
  // Centrifugo prints no "listening" line: it is up when its port answers.
  const healthUrl = name === "centrifugo" ? `${url}/connection/websocket` : `${url}/api/health`;
  const polling =
    protocolOf(name) === "project" || name === "centrifugo"
      ? (async () => {
          for (let i = 0; i < 20_000 && !stopPolling; i++) {
            const ok = await fetch(healthUrl).then((r) => name === "centrifugo" || r.ok, () => false);
            if (ok) return void (healthyMs = performance.now() - started);
            await Bun.sleep(2);
          }
        })()
      : Promise.resolve();
  const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
  let buf = "";
  if (name === "centrifugo") {
    await Promise.race([polling, proc.exited, Bun.sleep(30_000)]);
    if (healthyMs < 0) throw new Error("centrifugo did not start listening");
    buf = '"msg":"listening"';
  }
  while (!buf.includes('"msg":"listening"')) {
    const r = await reader.read();
    if (r.done) {
      stopPolling = true;
      throw new Error(`${name} exited before listening`);
    }
    buf += new TextDecoder().decode(r.value);
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
      if (ownDir) rmSync(ownDir, { recursive: true, force: true });
    },
  };
}

/** Resident memory of a process in KiB. */
export function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

/** CPU ticks (user + system) per thread of a process, by thread name. */
function threadTicks(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(name, (out.get(name) ?? 0) + Number(f[11]) + Number(f[12]));
    } catch {
      // the thread ended while being read
    }
  }
  return out;
}

/** Starts sampling a process's threads; the returned function gives each thread's share of one core since then. */
export function threadCpu(pid: number): () => Record<string, number> {
  const hz = 100; // USER_HZ on Linux
  const at = performance.now();
  const before = threadTicks(pid);
  return () => {
    const secs = (performance.now() - at) / 1000;
    const shares: Record<string, number> = {};
    for (const [name, ticks] of threadTicks(pid)) {
      const share = (ticks - (before.get(name) ?? 0)) / hz / secs;
      if (share >= 0.01) shares[name] = +share.toFixed(2);
    }
    return shares;
  };
}

/** A generator script on a generator core: JSON lines out, optional command lines in. */
export interface Generator<T> {
  proc: Subprocess;
  /** The first JSON line it prints. */
  result: Promise<T>;
  /** The next JSON line it prints. */
  next<U = T>(): Promise<U>;
  /** Writes one command line to its stdin. */
  command(line: string): void;
}

/** Cores for load generators: every core but the server's (on one core, the same core). */
export const GENERATOR_CPUS = (() => {
  const all = Array.from({ length: navigator.hardwareConcurrency }, (_, i) => String(i)).filter((c) => c !== SERVER_CPU);
  return all.length ? all : [GENERATOR_CPU];
})();

export function startGenerator<T>(script: string, config: unknown, cpu = GENERATOR_CPU): Generator<T> {
  // The config goes through a file: it holds hundreds of tokens, too long for argv.
  const file = join(mkdtempSync(join(tmpdir(), "chat-bench-gen-")), "config.json");
  writeFileSync(file, JSON.stringify(config));
  const proc = track(Bun.spawn(pinned(cpu, [process.execPath, join(ROOT, "bench/generator", script), file]), {
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  }));
  // Shown as it comes, and the last of it kept: a generator that dies says why in the results.
  let stderrTail = "";
  void (async () => {
    const decoder = new TextDecoder();
    const err = (proc.stderr as ReadableStream<Uint8Array>).getReader();
    for (let r = await err.read(); !r.done; r = await err.read()) {
      process.stderr.write(r.value);
      stderrTail = (stderrTail + decoder.decode(r.value, { stream: true })).slice(-2000);
    }
  })();
  const why = () => stderrTail.split("\n").filter((l) => /error/i.test(l)).at(-1)?.trim() ?? "no error printed";
  const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buf = "";
  const next = async <U>(): Promise<U> => {
    for (;;) {
      const nl = buf.indexOf("\n");
      if (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith("{")) return JSON.parse(line) as U;
        continue;
      }
      const r = await reader.read();
      if (r.done) {
        await proc.exited;
        throw new Error(`${script} exited without a result (${why()})`);
      }
      buf += decoder.decode(r.value, { stream: true });
    }
  };
  const result = next<T>();
  return {
    proc,
    result,
    next,
    command(line) {
      if (proc.exitCode !== null) return; // it ended (and said why through next())
      try {
        const sink = proc.stdin as import("bun").FileSink;
        sink.write(line + "\n");
        sink.flush();
      } catch {
        // it ended between the check and the write
      }
    },
  };
}

/** Runs a generator to completion and returns its result. */
export async function runGenerator<T>(script: string, config: unknown): Promise<T> {
  const g = startGenerator<T>(script, config);
  const result = await g.result;
  await g.proc.exited;
  return result;
}
