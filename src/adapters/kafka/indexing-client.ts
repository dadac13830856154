import type { EngineHealth, Lifecycle } from "../../ports/index.ts";
import { WORKER_URLS } from "../../worker-urls.ts";
import type { FromIndexingWorker, IndexingStatus, IndexingWorkerInit, ToIndexingWorker } from "./indexing-protocol.ts";

/** The socket thread's handle on the indexing worker: starts it, relays its status to health and metrics. */
export class IndexingWorkerClient implements Lifecycle {
  private worker: Worker | null = null;
  status: IndexingStatus = { indexed: 0, parked: 0, lag: null, failingSince: null };

  constructor(private init: Omit<IndexingWorkerInit, "kind">) {}

  async start() {
    const w = new Worker(WORKER_URLS.indexing);
    this.worker = w;
    await new Promise<void>((resolve, reject) => {
      w.onmessage = (e: MessageEvent<FromIndexingWorker>) => {
        const m = e.data;
        if (m.kind === "ready") resolve();
        else if (m.kind === "fatal") reject(new Error(`indexing worker: ${m.error}`));
        else if (m.kind === "status") this.status = { indexed: m.indexed, parked: m.parked, lag: m.lag, failingSince: m.failingSince };
      };
      w.onerror = (e) => reject(new Error(`indexing worker crashed: ${e.message}`));
      w.postMessage({ kind: "init", ...this.init } satisfies ToIndexingWorker);
    });
  }

  async health(): Promise<EngineHealth> {
    const { indexed, parked, lag, failingSince } = this.status;
    return {
      name: "indexer",
      ok: this.worker !== null && failingSince === null,
      indexed,
      parked,
      ...(lag !== null ? { lag } : {}),
      ...(failingSince ? { detail: `elasticsearch writes failing since ${new Date(failingSince).toISOString()}` } : {}),
    };
  }

  async close() {
    const w = this.worker;
    if (!w) return;
    this.worker = null;
    await new Promise<void>((resolve) => {
      const timeout = setTimeout(resolve, 10_000);
      w.onmessage = (e: MessageEvent<FromIndexingWorker>) => {
        if (e.data.kind !== "closed") return;
        clearTimeout(timeout);
        resolve();
      };
      w.postMessage({ kind: "close" } satisfies ToIndexingWorker);
    });
    w.terminate();
  }
}
