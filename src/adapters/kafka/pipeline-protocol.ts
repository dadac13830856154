import type { LogFields } from "../../observability/logger.ts";

/** Messages between the socket thread and the pipeline worker. */
export interface PipelineWorkerInit {
  kind: "init";
  brokers: string[];
  clientId: string;
  topic: string;
  groupId: string;
  mongoUri: string;
  redisUrl: string;
  retryFirstMs: number;
  retryMaxMs: number;
  logLevel: "debug" | "info" | "warn" | "error";
  /** STORAGE_TIMEOUT_MS: bound on one engine call. */
  timeoutMs: number;
}

export type ToPipelineWorker = PipelineWorkerInit | { kind: "close" };

export type FromPipelineWorker =
  | { kind: "ready" }
  | { kind: "status"; persisted: number; givenBack: number; lastBatchAt: number | null; failingSince: number | null; lag: number | null }
  | { kind: "log"; level: "info" | "warn" | "error"; msg: string; fields: LogFields }
  | { kind: "closed" }
  | { kind: "fatal"; error: string };
