import { errorFields, type Logger } from "../observability/logger.ts";
import type { WorkerStatus, WorkerThread } from "../ports/index.ts";

/**
 * The handshake every worker thread speaks: it answers its init message with `ready` (or `fatal`),
 * and a `close` message with `closed` once it has finished what it had in hand.
 */
export type Handshake = { kind: "ready" } | { kind: "fatal"; error: string } | { kind: "closed" };
type HandshakeKind = Handshake["kind"];

export interface SupervisedWorkerOptions<In, Out> {
  name: string;
  url: string | URL;
  /** The first message of every start, restarts included. */
  init: () => In;
  /** What the worker posts besides the handshake. */
  onMessage: (m: Exclude<Out, { kind: HandshakeKind }>) => void;
  /**
   * The worker died: whatever it had in hand is lost and must fail now (it will not answer).
   * Called once per death, before the restart is scheduled.
   */
  onDown: (reason: string) => void;
  log: Logger;
  /** First restart delay; doubles while the worker keeps dying within `stableMs` of starting. */
  restartFirstMs?: number;
  restartMaxMs?: number;
  /** Up this long, a worker counts as healthy again and the next restart is quick. */
  stableMs?: number;
  /** How long `close` waits for `closed` before terminating the thread. */
  closeTimeoutMs?: number;
}

type State = "starting" | "up" | "down" | "closing" | "stopped";

/**
 * Hosts one worker thread: the start/close handshake, and supervision. A worker that dies after
 * startup (an uncaught error, `process.exit`, a kill) is reported through `onDown` so callers fail
 * what was pending instead of waiting forever, and is restarted with backoff. A failure during the
 * first start rejects `start()` instead (the server does not come up half-built).
 */
export class SupervisedWorker<In extends { kind: string }, Out extends { kind: string }> implements WorkerThread {
  private worker: Worker | null = null;
  private state: State = "stopped";
  private restarts = 0;
  private downSince: number | null = null;
  private upSince = 0;
  private everUp = false;
  private backoffMs: number;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  private startWaiter: { resolve: () => void; reject: (e: Error) => void } | null = null;
  private closedWaiter: (() => void) | null = null;

  constructor(private o: SupervisedWorkerOptions<In, Out>) {
    this.backoffMs = o.restartFirstMs ?? 200;
  }

  /** Starts the thread and waits for `ready`; rejects on `fatal` or a death before it. */
  async start(): Promise<void> {
    try {
      await this.spawn();
    } catch (err) {
      this.state = "stopped";
      this.worker?.terminate();
      this.worker = null;
      throw err;
    }
  }

  /** Hands a message to the worker; false when there is none to take it (down, restarting, closed). */
  post(m: In): boolean {
    if (!this.worker || (this.state !== "up" && this.state !== "closing")) return false;
    this.worker.postMessage(m);
    return true;
  }

  get isUp(): boolean {
    return this.state === "up";
  }

  status(): WorkerStatus {
    return { name: this.o.name, up: this.isUp, restarts: this.restarts, downSince: this.downSince };
  }

  /** Ends the thread abruptly, as a crash would (test-only fault hook; supervision then restarts it). */
  kill(): void {
    this.worker?.terminate();
  }

  /** Asks the worker to finish (bounded by closeTimeoutMs), then ends the thread. No restart after this. */
  async close(message: In): Promise<void> {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const worker = this.worker;
    const wasUp = this.state === "up";
    this.state = "closing";
    if (worker && wasUp) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.o.closeTimeoutMs ?? 5000);
        this.closedWaiter = () => {
          clearTimeout(timer);
          resolve();
        };
        worker.postMessage(message);
      });
    }
    this.closedWaiter = null;
    this.state = "stopped";
    worker?.terminate();
    this.worker = null;
  }

  private spawn(): Promise<void> {
    const worker = new Worker(this.o.url);
    this.worker = worker;
    this.state = "starting";
    const started = new Promise<void>((resolve, reject) => (this.startWaiter = { resolve, reject }));
    worker.onmessage = (e: MessageEvent<Out | Handshake>) => this.receive(worker, e.data);
    worker.addEventListener("error", (e) => this.o.log.error("worker error", { worker: this.o.name, error: (e as ErrorEvent).message }));
    worker.addEventListener("close", (e) => this.onClose(worker, (e as CloseEvent).code));
    worker.postMessage(this.o.init());
    return started;
  }

  private receive(worker: Worker, m: Out | Handshake) {
    if (worker !== this.worker) return;
    switch (m.kind) {
      case "ready":
        this.state = "up";
        this.upSince = Date.now();
        this.everUp = true;
        this.downSince = null;
        this.startWaiter?.resolve();
        this.startWaiter = null;
        return;
      case "fatal":
        this.startWaiter?.reject(new Error(`${this.o.name}: ${(m as Extract<Handshake, { kind: "fatal" }>).error}`));
        this.startWaiter = null;
        // Not usable: end it; a restart (if this was one) follows from the close.
        worker.terminate();
        return;
      case "closed":
        this.closedWaiter?.();
        return;
      default:
        this.o.onMessage(m as Exclude<Out, { kind: HandshakeKind }>);
    }
  }

  private onClose(worker: Worker, code: number) {
    if (worker !== this.worker || this.state === "closing" || this.state === "stopped") return;
    this.worker = null;
    if (!this.everUp) {
      // The first start failed: start() reports it, nothing to restart.
      this.startWaiter?.reject(new Error(`${this.o.name}: worker exited during startup (code ${code})`));
      this.startWaiter = null;
      return;
    }
    this.startWaiter = null;
    this.state = "down";
    this.downSince ??= Date.now();
    if (this.upSince && Date.now() - this.upSince >= (this.o.stableMs ?? 30_000)) this.backoffMs = this.o.restartFirstMs ?? 200;
    this.upSince = 0; // a restart that fails before `ready` keeps backing off
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.o.restartMaxMs ?? 10_000);
    this.o.log.error("worker died, restarting", { worker: this.o.name, code, restartInMs: delay });
    this.o.onDown(`${this.o.name} worker stopped`);
    this.restartTimer = setTimeout(() => this.restart(), delay);
  }

  private restart() {
    this.restartTimer = null;
    if (this.state !== "down") return;
    this.spawn().then(
      () => {
        this.restarts++;
        this.o.log.info("worker restarted", { worker: this.o.name, restarts: this.restarts });
      },
      // The close that follows schedules the next attempt.
      (err) => this.o.log.error("worker restart failed", { worker: this.o.name, ...errorFields(err) }),
    );
  }
}
