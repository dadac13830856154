/**
 * A local server speaking Gemini's REST wire format, so the real @google/genai code path runs in
 * tests and the benchmark. What the SDK (2.x, Gemini Developer API) sends:
 *   POST {baseUrl}/v1beta/models/{model}:streamGenerateContent?alt=sse   (or :generateContent)
 *   header x-goog-api-key: <key>; JSON body { contents: [{role, parts:[{text}]}], systemInstruction: {parts:[{text}]}, generationConfig? }
 * and what it expects back: for SSE, `data: <GenerateContentResponse JSON>\r\n\r\n` events
 * ({candidates:[{content:{role:"model",parts:[{text}]},index:0}]}) until the body ends; errors as
 * an HTTP status with {error:{code,message,status}} (the SDK throws ApiError with `.status`).
 *
 * Behaviour per request: `behave(request)` when given, else keywords in the prompt (last part):
 *   "#slow" – a token every `slowMs`;  "#429" / "#500" – fail `failTimes` times, then answer;
 *   "#429always" – always 429;  "#hang" – never answers;  "#cut" – two tokens, then the TCP
 *   connection is destroyed mid-body.
 * Served with node:http so a cut is a real connection reset.
 *
 * It also answers OpenAI-compatible `POST {url}/v1/chat/completions` (`stream: true`: `data: {choices:
 * [{delta:{content}}]}` events, then `data: [DONE]`) with the same behaviours, for the self-hosted provider.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  model: string;
  method: "streamGenerateContent" | "generateContent" | "chatCompletions";
  /** x-goog-api-key, or the bearer token of an OpenAI-style request ("" when none). */
  apiKey: string;
  /** OpenAI-style requests only (their `body.contents` is empty). */
  messages?: { role: string; content: string }[];
  body: {
    contents: { role: string; parts: { text: string }[] }[];
    systemInstruction?: { parts: { text: string }[] };
  };
  /** The text of the last part of the last turn: the question itself. */
  prompt: string;
}

export type FakeBehaviour =
  /** Streams `tokens` (default: the server's), `delayMs` apart; `cutAfter` tokens then resets the connection. */
  | { kind: "answer"; tokens?: string[]; delayMs?: number; cutAfter?: number }
  | { kind: "fail"; status: number }
  | { kind: "hang" };

export interface FakeGeminiOptions {
  /** The answer, token by token. */
  tokens?: string[];
  /** Delay between tokens for "#slow" prompts (default 50 ms). */
  slowMs?: number;
  /** How many times a "#429"/"#500" prompt fails before it is answered (default 1). */
  failTimes?: number;
  /** Decides per request, instead of the keywords; return undefined to fall back to them. */
  behave?: (req: RecordedRequest) => FakeBehaviour | undefined;
}

export interface FakeGemini {
  /** Pass as GEMINI_BASE_URL. */
  url: string;
  /** Every request received, in arrival order. */
  requests: RecordedRequest[];
  /** Requests whose response has not ended yet. */
  readonly inFlight: number;
  /** Forgets recorded requests and failure counts. */
  reset(): void;
  stop(): Promise<void>;
}

const openAiSse = (text: string) => `data: ${JSON.stringify({ object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: text } }] })}\n\n`;
const sse = (text: string) => `data: ${JSON.stringify({ candidates: [{ content: { role: "model", parts: [{ text }] }, index: 0 }] })}\r\n\r\n`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startFakeGemini(opts: FakeGeminiOptions = {}): Promise<FakeGemini> {
  const tokens = opts.tokens ?? ["Hello", ", ", "world", "!"];
  const requests: RecordedRequest[] = [];
  const failures = new Map<string, number>();
  let inFlight = 0;

  const byKeyword = (prompt: string): FakeBehaviour => {
    if (prompt.includes("#429always")) return { kind: "fail", status: 429 };
    for (const [tag, status] of [["#429", 429], ["#500", 500]] as const) {
      if (!prompt.includes(tag)) continue;
      const n = failures.get(prompt) ?? 0;
      if (n < (opts.failTimes ?? 1)) {
        failures.set(prompt, n + 1);
        return { kind: "fail", status };
      }
    }
    if (prompt.includes("#hang")) return { kind: "hang" };
    if (prompt.includes("#cut")) return { kind: "answer", cutAfter: 2, delayMs: 30 };
    return { kind: "answer", delayMs: prompt.includes("#slow") ? (opts.slowMs ?? 50) : 0 };
  };

  const readJson = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
  };

  /** Parses either API's request into a RecordedRequest, or answers the error itself. */
  const receive = async (req: IncomingMessage, res: ServerResponse): Promise<RecordedRequest | null> => {
    const url = new URL(req.url ?? "/", "http://fake");
    if (req.method === "POST" && url.pathname.endsWith("/chat/completions")) {
      const body = (await readJson(req)) as { model: string; messages: { role: string; content: string }[] };
      const apiKey = String(req.headers.authorization ?? "").replace(/^Bearer /, "");
      const prompt = body.messages.at(-1)?.content ?? "";
      return { model: body.model, method: "chatCompletions", apiKey, messages: body.messages, body: { contents: [] }, prompt };
    }
    const match = /\/models\/([^/:]+):(streamGenerateContent|generateContent)$/.exec(url.pathname);
    if (!match || req.method !== "POST") return json(res, 404, { error: { code: 404, message: "not found", status: "NOT_FOUND" } });
    const apiKey = String(req.headers["x-goog-api-key"] ?? "");
    if (!apiKey) return json(res, 401, { error: { code: 401, message: "API key missing", status: "UNAUTHENTICATED" } });
    const body = (await readJson(req)) as RecordedRequest["body"];
    const prompt = body.contents.at(-1)?.parts.at(-1)?.text ?? "";
    return { model: match[1]!, method: match[2] as RecordedRequest["method"], apiKey, body, prompt };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const recorded = await receive(req, res);
    if (!recorded) return;
    requests.push(recorded);
    const b = opts.behave?.(recorded) ?? byKeyword(recorded.prompt);
    const openAi = recorded.method === "chatCompletions";

    if (b.kind === "hang") return; // the client's timeout (or abort) ends it
    if (b.kind === "fail") {
      const status = b.status === 429 ? "RESOURCE_EXHAUSTED" : "UNAVAILABLE";
      return json(res, b.status, openAi ? { error: { message: "fake failure", type: status } } : { error: { code: b.status, message: "fake failure", status } });
    }
    const answer = b.tokens ?? tokens;
    if (recorded.method === "generateContent") {
      return json(res, 200, { candidates: [{ content: { role: "model", parts: [{ text: answer.join("") }] }, finishReason: "STOP", index: 0 }] });
    }
    res.writeHead(200, { "content-type": "text/event-stream" });
    for (const [i, t] of answer.entries()) {
      if (b.cutAfter !== undefined && i === b.cutAfter) {
        res.socket?.destroy(); // a connection reset, mid-body
        return;
      }
      if (res.destroyed) return; // the client went away (e.g. timed out)
      res.write(openAi ? openAiSse(t) : sse(t));
      if (b.delayMs) await sleep(b.delayMs);
    }
    res.end(openAi ? "data: [DONE]\n\n" : undefined);
  };

  const server = createServer((req, res) => {
    inFlight++;
    res.on("close", () => inFlight--);
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get inFlight() {
      return inFlight;
    },
    reset() {
      requests.length = 0;
      failures.clear();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(res: ServerResponse, status: number, body: unknown): null {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
  return null;
}
