/** Build budget: the JavaScript the client's first page loads must stay under 100 KB gzipped. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET = 100 * 1024;
const dist = join(import.meta.dir, "..", "client", "dist");
const html = readFileSync(join(dist, "index.html"), "utf8");
const scripts = [...html.matchAll(/<(?:script|link)[^>]+(?:src|href)="([^"]+\.js)"/g)].map((m) => m[1]!);
const total = scripts.reduce((sum, src) => sum + gzipSync(readFileSync(join(dist, src))).length, 0);
console.log(`initial JS: ${(total / 1024).toFixed(1)} KB gzipped (budget ${BUDGET / 1024} KB)`);
if (total > BUDGET) process.exit(1);
