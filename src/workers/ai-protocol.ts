import type { AiRequest } from "../ports/ai-model.ts";

import type { AiOutcome } from "../ports/ai-runner.ts";
export type { AiOutcome };

/** Messages between the socket thread and the AI worker. */
export type ToAiWorker =
  | { kind: "init"; gemini: { apiKey: string; model: string; baseUrl?: string }; timeoutMs: number; maxRetries: number }
  | { kind: "run"; id: string; request: AiRequest }
  | { kind: "close" };

export type FromAiWorker =
  | { kind: "delta"; id: string; text: string }
  | { kind: "end"; id: string; outcome: AiOutcome; error?: string }
  | { kind: "closed" };
