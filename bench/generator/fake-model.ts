/**
 * The AI model for the AI-isolation scenario: test/support/fake-gemini.ts (Gemini's wire format)
 * streaming a long answer slowly, on the generator core. Prints {"url"}, then serves until killed.
 * Usage: bun fake-model.ts <config.json {tokens, delayMs}>
 */
import { startFakeGemini } from "../../test/support/fake-gemini.ts";

const cfg = JSON.parse(await Bun.file(process.argv[2]!).text()) as { tokens: number; delayMs: number };
const tokens = Array.from({ length: cfg.tokens }, (_, i) => `word${i} `);
const fake = await startFakeGemini({ behave: () => ({ kind: "answer", tokens, delayMs: cfg.delayMs }) });
console.log(JSON.stringify({ url: fake.url }));
await new Promise(() => {});
