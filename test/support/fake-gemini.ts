/**
 * A local server speaking Gemini's REST wire format (`models/{model}:streamGenerateContent?alt=sse`
 * and `:generateContent`), so the real @google/genai code path runs in tests and the benchmark.
 * Behaviour is chosen per request by a keyword in the prompt (the last user turn):
 *   "#slow"  – tokens every `slowMs`;  "#429" / "#500" – fail `failTimes` times, then answer;
 *   "#429always" – always 429;  "#hang" – never answers;  "#cut" – two tokens, then the connection drops.
 */
import type { Server } from "bun";

export interface RecordedRequest {
  model: string;
  body: {
    contents: { role: string; parts: { text: string }[] }[];
    systemInstruction?: { parts: { text: string }[] };
  };
}

export interface FakeGeminiOptions {
  tokens?: string[];
  slowMs?: number;
  failTimes?: number;
}

export interface FakeGemini {
  url: string;
  requests: RecordedRequest[];
  stop(): Promise<void>;
}

const chunk = (text: string) =>
  `data: ${JSON.stringify({ candidates: [{ content: { role: "model", parts: [{ text }] }, index: 0 }] })}\r\n\r\n`;

export async function startFakeGemini(opts: FakeGeminiOptions = {}): Promise<FakeGemini> {
  const tokens = opts.tokens ?? ["Hello", ", ", "world", "!"];
  const requests: RecordedRequest[] = [];
  const failures = new Map<string, number>();
  const server: Server<undefined> = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 0,
    // The "#cut" stream errors on purpose; keep Bun from printing it as a server failure.
    error: () => new Response(null, { status: 500 }),
    async fetch(req) {
      const url = new URL(req.url);
      const match = /\/models\/([^/:]+):(streamGenerateContent|generateContent)$/.exec(url.pathname);
      if (!match || req.method !== "POST") return new Response("not found", { status: 404 });
      if (!req.headers.get("x-goog-api-key")) return Response.json({ error: { code: 401, message: "no key" } }, { status: 401 });
      const body = (await req.json()) as RecordedRequest["body"];
      requests.push({ model: match[1]!, body });
      const prompt = body.contents.at(-1)?.parts.map((p) => p.text).join("") ?? "";
      const fail = (status: number) => Response.json({ error: { code: status, message: "fake failure", status: "UNAVAILABLE" } }, { status });
      if (prompt.includes("#429always")) return fail(429);
      for (const [tag, status] of [["#429", 429], ["#500", 500]] as const) {
        if (!prompt.includes(tag)) continue;
        const n = failures.get(prompt) ?? 0;
        if (n < (opts.failTimes ?? 1)) {
          failures.set(prompt, n + 1);
          return fail(status);
        }
      }
      if (prompt.includes("#hang")) return new Promise<Response>(() => {});
      if (match[2] === "generateContent") {
        return Response.json({ candidates: [{ content: { role: "model", parts: [{ text: tokens.join("") }] }, index: 0 }] });
      }
      const slow = prompt.includes("#slow") ? (opts.slowMs ?? 50) : 0;
      const cut = prompt.includes("#cut");
      const stream = new ReadableStream<Uint8Array>({
        async start(controller) {
          const enc = new TextEncoder();
          for (const [i, t] of tokens.entries()) {
            if (cut && i === 2) {
              controller.error(new Error("connection cut"));
              return;
            }
            controller.enqueue(enc.encode(chunk(t)));
            // A cut stream flushes what it has before dropping, like a real connection would.
            if (slow || cut) await Bun.sleep(slow || 30);
          }
          controller.close();
        },
      });
      return new Response(stream, { headers: { "content-type": "text/event-stream" } });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    stop: () => server.stop(true),
  };
}
