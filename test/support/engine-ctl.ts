/**
 * Drives the engines of scripts/engines/ctl.sh from tests (stop, start, kill, hang), with the same
 * environment (ENGINES_RUN and ports) the caller exported. Async, so a test's own clients keep
 * running while an engine stops or starts.
 */
import { join } from "node:path";
import { sleep } from "./client.ts";

const CTL = join(import.meta.dir, "..", "..", "scripts", "engines", "ctl.sh");
export type CtlEngine = "redis" | "kafka" | "mongo";

export async function ctl(action: "start" | "stop" | "restart" | "kill" | "status", engine: CtlEngine): Promise<string> {
  const p = Bun.spawn(["bash", CTL, action, engine], { stdout: "pipe", stderr: "pipe" });
  const [code, out, err] = await Promise.all([p.exited, new Response(p.stdout).text(), new Response(p.stderr).text()]);
  if (code !== 0) throw new Error(`ctl ${action} ${engine} failed: ${err || out}`);
  return out;
}

/** The engine's process id, from ctl.sh status. */
export async function enginePid(engine: CtlEngine): Promise<number> {
  const m = /running \(pid (\d+)\)/.exec(await ctl("status", engine));
  if (!m) throw new Error(`${engine} is not running`);
  return Number(m[1]);
}

/** SIGSTOP: the engine keeps its sockets open but answers nothing, until `resume`. */
export async function hang(engine: CtlEngine): Promise<() => void> {
  const pid = await enginePid(engine);
  process.kill(pid, "SIGSTOP");
  return () => process.kill(pid, "SIGCONT");
}

export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000, everyMs = 250) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}
