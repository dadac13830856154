/**
 * The AI model for the AI-isolation scenario: test/support/fake-gemini.ts (Gemini's wire format)
 * streaming a long answer slowly, on the generator core. Prints {"url"} (or {"missing"} when the
 * fake does not exist), then serves until killed. Usage: bun fake-model.ts <config.json {tokens, delayMs}>
 */
import { existsSync } from "node:fs";
import { join } from "node:path";

const cfg = JSON.parse(await Bun.file(process.argv[2]!).text()) as { tokens: number; delayMs: number };
const file = join(import.meta.dir, "../../test/support/fake-gemini.ts");
if (!existsSync(file)) {
  console.log(JSON.stringify({ missing: "test/support/fake-gemini.ts" }));
  process.exit(0);
}
const { startFakeGemini } = (await import(file)) as {
  startFakeGemini(opts: { behave: () => { kind: "answer"; tokens: string[]; delayMs: number } }): Promise<{ url: string }>;
};
const tokens = Array.from({ length: cfg.tokens }, (_, i) => `word${i} `);
const fake = await startFakeGemini({ behave: () => ({ kind: "answer", tokens, delayMs: cfg.delayMs }) });
console.log(JSON.stringify({ url: fake.url }));
await new Promise(() => {});
