import type { Logger } from "../../observability/logger.ts";
import type { AiRequest } from "../../ports/ai-model.ts";
import type { AiOutcome, AiRunner } from "../../ports/ai-runner.ts";
import type { AiProviderSettings, FromAiWorker, ToAiWorker } from "./ai-protocol.ts";
import { SupervisedWorker } from "../../threads/supervised-worker.ts";
import { WORKER_URLS } from "../../worker-urls.ts";

interface Pending {
  onDelta: (text: string) => void;
  received: boolean;
  resolve: (r: { outcome: AiOutcome; error?: string }) => void;
}

/** The socket thread's side of the AI worker: model calls run there, deltas come back as messages. */
export class WorkerAiRunner implements AiRunner {
  private host: SupervisedWorker<ToAiWorker, FromAiWorker>;
  private pending = new Map<string, Pending>();
  private nextId = 1;

  constructor(provider: AiProviderSettings, timeoutMs: number, maxRetries: number, log: Logger) {
    this.host = new SupervisedWorker<ToAiWorker, FromAiWorker>({
      name: "ai",
      url: WORKER_URLS.ai,
      init: () => ({ kind: "init", provider, timeoutMs, maxRetries }),
      onMessage: (m) => this.receive(m),
      // Answers it was streaming end now, keeping what arrived.
      onDown: () => this.endPending("the AI worker stopped"),
      log,
    });
  }

  start() {
    return this.host.start();
  }

  workers() {
    return [this.host];
  }

  run(request: AiRequest, onDelta: (text: string) => void) {
    const id = String(this.nextId++);
    return new Promise<{ outcome: AiOutcome; error?: string }>((resolve) => {
      this.pending.set(id, { onDelta, received: false, resolve });
      if (!this.host.post({ kind: "run", id, request })) {
        this.pending.delete(id);
        resolve({ outcome: "failed", error: "AI worker not running" });
      }
    });
  }

  async close() {
    await this.host.close({ kind: "close" });
    // Streams still running when the grace period ended: keep what arrived.
    this.endPending("the server shut down");
  }

  private endPending(error: string) {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.resolve({ outcome: p.received ? "incomplete" : "failed", error });
    }
  }

  private receive(m: Exclude<FromAiWorker, { kind: "ready" | "fatal" | "closed" }>) {
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.kind === "delta") {
      p.received = true;
      return p.onDelta(m.text);
    }
    this.pending.delete(m.id);
    p.resolve({ outcome: m.outcome, ...(m.error ? { error: m.error } : {}) });
  }
}
