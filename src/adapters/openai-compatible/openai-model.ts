import { z } from "zod";
import { RetryableAiError, type AiModel, type AiRequest } from "../../ports/ai-model.ts";

export interface OpenAiSettings {
  /** Up to and including the version, e.g. http://127.0.0.1:11434/v1 (Ollama) or http://127.0.0.1:8080/v1 (llama.cpp). */
  baseUrl: string;
  model: string;
  /** Most self-hosted servers need none. */
  apiKey?: string;
}

// Only what we read; servers differ in the rest.
const chunkSchema = z.object({
  choices: z.array(z.object({ delta: z.object({ content: z.string().nullish() }).partial().optional() })).default([]),
});

/** A self-hosted model behind the OpenAI chat completions API (`stream: true`, SSE). */
export class OpenAiCompatibleModel implements AiModel {
  constructor(private s: OpenAiSettings) {}

  async *stream(req: AiRequest, signal: AbortSignal): AsyncIterable<string> {
    let res: Response;
    try {
      res = await fetch(`${this.s.baseUrl.replace(/\/+$/, "")}/chat/completions`, {
        method: "POST",
        signal,
        headers: { "content-type": "application/json", ...(this.s.apiKey ? { authorization: `Bearer ${this.s.apiKey}` } : {}) },
        body: JSON.stringify({
          model: this.s.model,
          stream: true,
          messages: [
            { role: "system", content: req.system },
            ...req.context.map((t) => ({ role: t.role === "model" ? "assistant" : "user", content: t.text })),
            { role: "user", content: req.prompt },
          ],
        }),
      });
    } catch (err) {
      throw networkError(err);
    }
    if (res.status === 429 || res.status >= 500) throw new RetryableAiError(`model answered ${res.status}`);
    if (!res.ok || !res.body) throw new Error(`model answered ${res.status}`);
    try {
      for await (const data of sseData(res.body)) {
        if (data === "[DONE]") return;
        const parsed = chunkSchema.safeParse(safeJson(data));
        const text = parsed.success ? (parsed.data.choices[0]?.delta?.content ?? "") : "";
        if (text) yield text;
      }
    } catch (err) {
      throw networkError(err);
    }
  }
}

/** The `data:` payloads of a server-sent event stream, one per event. */
async function* sseData(body: ReadableStream<Uint8Array>): AsyncIterable<string> {
  const decoder = new TextDecoder();
  let buffer = "";
  let data: string[] = [];
  const reader = body.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    buffer += decoder.decode(r.value, { stream: true });
    let nl;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl).replace(/\r$/, "");
      buffer = buffer.slice(nl + 1);
      if (line === "") {
        if (data.length) yield data.join("\n");
        data = [];
      } else if (line.startsWith("data:")) {
        data.push(line.slice(5).trimStart());
      }
    }
  }
  if (data.length) yield data.join("\n");
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Fixed messages only: nothing of the request or the answer leaves through an error. */
function networkError(err: unknown): Error {
  if (err instanceof Error && err.name === "AbortError") return err;
  return new RetryableAiError("model connection failed");
}
