/// <reference lib="webworker" />
/** The AI worker: model calls and their retries run here, so the socket thread never awaits a model. */
import { GeminiModel } from "../adapters/gemini/gemini-model.ts";
import { OpenAiCompatibleModel } from "../adapters/openai-compatible/openai-model.ts";
import type { AiModel } from "../ports/ai-model.ts";
import type { FromAiWorker, ToAiWorker } from "../adapters/ai-thread/ai-protocol.ts";
import { streamAnswer, type StreamPolicy } from "../adapters/ai-thread/ai-stream.ts";

declare const self: Worker;
const post = (m: FromAiWorker) => self.postMessage(m);

let model: AiModel | null = null;
let policy: StreamPolicy = { timeoutMs: 30_000, maxRetries: 2 };
const running = new Set<Promise<unknown>>();

self.onmessage = (event: MessageEvent<ToAiWorker>) => {
  const msg = event.data;
  switch (msg.kind) {
    case "init":
      try {
        model = msg.provider.kind === "openai" ? new OpenAiCompatibleModel(msg.provider) : new GeminiModel(msg.provider);
        policy = { timeoutMs: msg.timeoutMs, maxRetries: msg.maxRetries };
        post({ kind: "ready" });
      } catch (err) {
        post({ kind: "fatal", error: err instanceof Error ? err.message : String(err) });
      }
      break;
    case "run": {
      if (!model) return post({ kind: "end", id: msg.id, outcome: "failed", error: "AI worker not initialised" });
      const task = streamAnswer(model, msg.request, policy, (text) => post({ kind: "delta", id: msg.id, text })).then((r) =>
        post({ kind: "end", id: msg.id, ...r }),
      );
      running.add(task);
      void task.finally(() => running.delete(task));
      break;
    }
    case "close":
      void Promise.allSettled([...running]).finally(() => post({ kind: "closed" }));
      break;
  }
};
