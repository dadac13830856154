/** Messages between the socket thread and the indexing worker. */
export interface IndexingWorkerInit {
  kind: "init";
  brokers: string[];
  clientId: string;
  messagesTopic: string;
  activityTopic: string;
  groupId: string;
  elasticsearchUrl: string;
  indexPrefix: string;
  retentionDays: number;
  logLevel: "debug" | "info" | "warn" | "error";
}

export type ToIndexingWorker = IndexingWorkerInit | { kind: "close" };

export interface IndexingStatus {
  /** Documents Elasticsearch acknowledged (written or already there). */
  indexed: number;
  /** Documents Elasticsearch rejected, now in the parking index (all instances). */
  parked: number;
  /** Records on both topics not yet committed by the indexer group; null while Kafka does not answer. */
  lag: number | null;
  failingSince: number | null;
}

export type FromIndexingWorker =
  | { kind: "ready" }
  | ({ kind: "status" } & IndexingStatus)
  | { kind: "closed" }
  | { kind: "fatal"; error: string };
