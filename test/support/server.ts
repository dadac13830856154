import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";

const ROOT = join(import.meta.dir, "..", "..");

export interface TestServer {
  url: string;
  wsUrl: string;
  port: number;
  dataDir: string;
  proc: Subprocess;
  /** Lines the server logged (JSON), for assertions about logging. */
  logs: string[];
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** kill -9, keeping the data dir. */
  crash(): Promise<void>;
  /** Starts a new process on the same data dir and port. */
  restart(): Promise<TestServer>;
  cleanup(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  dataDir?: string;
  port?: number;
  /** Run a different entrypoint (e.g. a compiled binary) instead of `bun src/main.ts`. */
  cmd?: string[];
  cwd?: string;
}

/** Starts the real server as a child process on a free port and waits until it listens. */
export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), "chat-test-"));
  const logs: string[] = [];
  const cmd = opts.cmd ?? [process.execPath, join(ROOT, "src", "main.ts")];
  const proc = Bun.spawn(cmd, {
    cwd: opts.cwd ?? ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      DATA_DIR: dataDir,
      PORT: String(opts.port ?? 0),
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      SERVE_CLIENT: "false",
      // Suites register many accounts from 127.0.0.1; the limit itself has its own test.
      REGISTER_MAX_PER_ADDRESS: "100000",
      ...opts.env,
    },
    stdout: "pipe",
    stderr: "pipe",
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${logs.join("\n")}`)), 30_000);
    const pump = async (stream: ReadableStream<Uint8Array>) => {
      const decoder = new TextDecoder();
      let buf = "";
      const reader = stream.getReader();
      for (let r = await reader.read(); !r.done; r = await reader.read()) {
        buf += decoder.decode(r.value, { stream: true });
        let nl;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          logs.push(line);
          if (line.includes('"msg":"listening"')) {
            clearTimeout(timer);
            resolve(JSON.parse(line).port);
          }
        }
      }
    };
    void pump(proc.stdout as ReadableStream<Uint8Array>);
    void pump(proc.stderr as ReadableStream<Uint8Array>);
    void proc.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${logs.join("\n")}`));
    });
  });

  const server: TestServer = {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    port,
    dataDir,
    proc,
    logs,
    async stop(signal = "SIGTERM") {
      if (proc.exitCode === null && !proc.killed) proc.kill(signal);
      await proc.exited;
    },
    async crash() {
      proc.kill("SIGKILL");
      await proc.exited;
    },
    async restart() {
      await server.stop();
      return startServer({ ...opts, dataDir, port });
    },
    async cleanup() {
      await server.stop();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}
