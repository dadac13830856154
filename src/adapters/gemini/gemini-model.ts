import { ApiError, GoogleGenAI } from "@google/genai";
import { RetryableAiError, type AiModel, type AiRequest, type AiTurn } from "../../ports/ai-model.ts";

export interface GeminiSettings {
  apiKey: string;
  model: string;
  /** For proxies and tests; defaults to Google's endpoint. */
  baseUrl?: string;
}

/** Gemini through the official SDK (`streamGenerateContent`, SSE). Retries are ours, not the SDK's. */
export class GeminiModel implements AiModel {
  private client: GoogleGenAI;

  constructor(private s: GeminiSettings) {
    this.client = new GoogleGenAI({
      apiKey: s.apiKey,
      httpOptions: { ...(s.baseUrl ? { baseUrl: s.baseUrl } : {}), retryOptions: { attempts: 1 } },
    });
  }

  async *stream(req: AiRequest, signal: AbortSignal): AsyncIterable<string> {
    let stream;
    try {
      stream = await this.client.models.generateContentStream({
        model: this.s.model,
        contents: toContents([...req.context, { role: "user", text: req.prompt }]),
        config: { systemInstruction: req.system, abortSignal: signal },
      });
    } catch (err) {
      throw classify(err);
    }
    try {
      for await (const chunk of stream) {
        // Text parts only: thoughts and function calls are not part of the answer.
        const text = (chunk.candidates?.[0]?.content?.parts ?? [])
          .filter((p) => typeof p.text === "string" && !p.thought)
          .map((p) => p.text)
          .join("");
        if (text) yield text;
      }
    } catch (err) {
      throw classify(err);
    }
  }
}

/** One content per run of same-role turns, one part per message: roles alternate as older models require. */
function toContents(turns: AiTurn[]): { role: AiTurn["role"]; parts: { text: string }[] }[] {
  const contents: { role: AiTurn["role"]; parts: { text: string }[] }[] = [];
  for (const t of turns) {
    const last = contents.at(-1);
    if (last?.role === t.role) last.parts.push({ text: t.text });
    else contents.push({ role: t.role, parts: [{ text: t.text }] });
  }
  return contents;
}

/**
 * Errors leave this adapter with fixed messages: the SDK's may quote the response (model output),
 * which must not reach logs or other users.
 */
function classify(err: unknown): Error {
  if (err instanceof ApiError && (err.status === 429 || err.status >= 500)) return new RetryableAiError(`model answered ${err.status}`);
  if (err instanceof ApiError) return new Error(`model answered ${err.status}`);
  if (err instanceof Error && err.name === "AbortError") return err;
  // Network failures (connection refused, reset, cut stream) are worth another try before any text.
  return new RetryableAiError("model connection failed");
}
