/** Adapters own their connections and background loops; the composition root starts and closes them in order. */
export interface Lifecycle {
  start?(): Promise<void>;
  close?(): Promise<void>;
  /** For /api/health: a short status of the engine behind the adapter. */
  health?(): Promise<EngineHealth>;
}

export interface EngineHealth {
  name: string;
  ok: boolean;
  detail?: string;
  [extra: string]: string | number | boolean | undefined;
}
