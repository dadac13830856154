import type { AiRequest } from "../ports/ai-model.ts";
import type { AiOutcome, AiRunner } from "../ports/ai-runner.ts";
import type { AiProviderSettings, FromAiWorker, ToAiWorker } from "./ai-protocol.ts";
import { WORKER_URLS } from "../worker-urls.ts";

const AI_WORKER = WORKER_URLS.ai;

interface Pending {
  onDelta: (text: string) => void;
  received: boolean;
  resolve: (r: { outcome: AiOutcome; error?: string }) => void;
}

/** The socket thread's side of the AI worker: model calls run there, deltas come back as messages. */
export class WorkerAiRunner implements AiRunner {
  private worker: Worker | null = null;
  private pending = new Map<string, Pending>();
  private nextId = 1;

  constructor(private provider: AiProviderSettings, private timeoutMs: number, private maxRetries: number) {}

  async start() {
    const worker = new Worker(AI_WORKER);
    worker.onmessage = (e: MessageEvent<FromAiWorker>) => this.receive(e.data);
    worker.postMessage({ kind: "init", provider: this.provider, timeoutMs: this.timeoutMs, maxRetries: this.maxRetries } satisfies ToAiWorker);
    this.worker = worker;
  }

  run(request: AiRequest, onDelta: (text: string) => void) {
    const id = String(this.nextId++);
    return new Promise<{ outcome: AiOutcome; error?: string }>((resolve) => {
      if (!this.worker) return resolve({ outcome: "failed", error: "AI worker not running" });
      this.pending.set(id, { onDelta, received: false, resolve });
      this.worker.postMessage({ kind: "run", id, request } satisfies ToAiWorker);
    });
  }

  async close() {
    const worker = this.worker;
    if (!worker) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 5000);
      worker.onmessage = (e: MessageEvent<FromAiWorker>) => (e.data.kind === "closed" ? (clearTimeout(t), resolve()) : this.receive(e.data));
      worker.postMessage({ kind: "close" } satisfies ToAiWorker);
    });
    worker.terminate();
    this.worker = null;
    // Streams still running when the grace period ended: keep what arrived.
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.resolve(p.received ? { outcome: "incomplete", error: "the server shut down" } : { outcome: "failed", error: "the server shut down" });
    }
  }

  private receive(m: FromAiWorker) {
    if (m.kind === "closed") return;
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
