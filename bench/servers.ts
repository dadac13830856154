/** Starts the servers under test, each pinned to its own core, and waits until they listen. */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import type { ServerKind } from "./generator/clients.ts";

export const ROOT = join(import.meta.dir, "..");
export const SERVER_CPU = "0";
export const GENERATOR_CPU = "1";

export interface RunningServer {
  kind: ServerKind;
  url: string;
  pid: number;
  proc: Subprocess;
  stop(): Promise<void>;
}

/** Pinned to one core, with room for thousands of sockets. */
const pinned = (cpu: string, cmd: string[]) => [
  "taskset", "-c", cpu, "bash", "-c", `ulimit -n $(ulimit -Hn); exec ${cmd.map((a) => `'${a}'`).join(" ")}`,
];

export async function startServer(kind: ServerKind, port: number, env: Record<string, string> = {}): Promise<RunningServer & { startupMs: number }> {
  const cmd =
    kind === "project"
      ? [process.execPath, join(ROOT, "src/main.ts")]
      : kind === "bare"
        ? [process.execPath, join(ROOT, "bench/baselines/bare-bun.ts")]
        : ["node", join(ROOT, "bench/baselines/socketio-server.mjs")];
  const started = performance.now();
  const proc = Bun.spawn(pinned(SERVER_CPU, cmd), {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: mkdtempSync(join(tmpdir(), "chat-bench-")),
      // The benchmark measures the server, not the per-user abuse limits.
      SEND_RATE_PER_SEC: "1000000",
      SEND_BURST: "1000000",
      LOGIN_MAX_ATTEMPTS: "1000000",
      ...env,
    },
    stdout: "pipe",
    stderr: "inherit",
  });
  const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
  let buf = "";
  for (;;) {
    const r = await reader.read();
    if (r.done) throw new Error(`${kind} exited before listening`);
    buf += new TextDecoder().decode(r.value);
    if (buf.includes('"msg":"listening"')) break;
  }
  const startupMs = performance.now() - started;
  void (async () => {
    for (let r = await reader.read(); !r.done; r = await reader.read());
  })();
  return {
    kind,
    url: `http://127.0.0.1:${port}`,
    pid: proc.pid,
    proc,
    startupMs,
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
    },
  };
}

/** Resident memory of a process in KiB. */
export function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

/** Runs a generator script on the generator core; returns its JSON result line. */
export async function runGenerator<T>(script: string, config: unknown, opts: { untilLine?: boolean } = {}): Promise<{ result: T; proc: Subprocess }> {
  const file = join(mkdtempSync(join(tmpdir(), "chat-bench-gen-")), "config.json");
  await Bun.write(file, JSON.stringify(config));
  const proc = Bun.spawn(pinned(GENERATOR_CPU, [process.execPath, join(ROOT, "bench/generator", script), file]), {
    stdout: "pipe",
    stderr: "inherit",
  });
  const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
  let buf = "";
  for (;;) {
    const r = await reader.read();
    if (r.done) break;
    buf += new TextDecoder().decode(r.value);
    if (opts.untilLine && buf.includes("\n")) break;
  }
  const line = buf.trim().split("\n").at(-1) ?? "";
  if (!line.startsWith("{")) throw new Error(`${script} printed no result`);
  return { result: JSON.parse(line) as T, proc };
}
