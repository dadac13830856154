import type { GeminiSettings } from "../gemini/gemini-model.ts";
import type { OpenAiSettings } from "../openai-compatible/openai-model.ts";
import type { AiRequest } from "../../ports/ai-model.ts";

import type { AiOutcome } from "../../ports/ai-runner.ts";
export type { AiOutcome };

/** Which model the worker talks to; plain data, so it crosses the thread boundary. */
export type AiProviderSettings = ({ kind: "gemini" } & GeminiSettings) | ({ kind: "openai" } & OpenAiSettings);

/** Messages between the socket thread and the AI worker. */
export type ToAiWorker =
  | { kind: "init"; provider: AiProviderSettings; timeoutMs: number; maxRetries: number }
  | { kind: "run"; id: string; request: AiRequest }
  | { kind: "close" };

export type FromAiWorker =
  | { kind: "ready" }
  | { kind: "fatal"; error: string }
  | { kind: "delta"; id: string; text: string }
  | { kind: "end"; id: string; outcome: AiOutcome; error?: string }
  | { kind: "closed" };
