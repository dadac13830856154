/** Adapters own their connections and background loops; the composition root starts and closes them in order. */
export interface Lifecycle {
  start?(): Promise<void>;
  close?(): Promise<void>;
  /** For /api/health: a short status of the engine behind the adapter. */
  health?(): Promise<EngineHealth>;
  /** The worker threads the adapter runs (supervised: restarted when they die), for health and metrics. */
  workers?(): WorkerThread[];
}

export interface WorkerStatus {
  name: string;
  up: boolean;
  /** Restarts after the thread died since the server started. */
  restarts: number;
  downSince: number | null;
}

export interface WorkerThread {
  status(): WorkerStatus;
  /** Ends the thread abruptly, as a crash would: only for the test-only fault hook (TEST_FAULT_HOOKS). */
  kill(): void;
}

export interface EngineHealth {
  name: string;
  ok: boolean;
  detail?: string;
  [extra: string]: string | number | boolean | undefined;
}
