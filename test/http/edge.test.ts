/** The last-resort error handler given to Bun.serve: nothing unexpected reaches a client as a stack page. */
import { expect, test } from "bun:test";
import { edgeErrorHandler } from "../../src/http/edge.ts";
import type { Logger, LogFields } from "../../src/observability/logger.ts";

test("an unexpected throw becomes a JSON 500 without details, logged once with the stack as a field", async () => {
  const lines: { msg: string; fields?: LogFields }[] = [];
  const record = (msg: string, fields?: LogFields) => void lines.push({ msg, fields });
  const log: Logger = { debug: record, info: record, warn: record, error: record, child: () => log };
  const err = new Error("boom at /secret/path/file.ts");
  const res = await edgeErrorHandler(log)(err);
  expect(res.status).toBe(500);
  expect(res.headers.get("content-type")).toContain("application/json");
  const text = await res.text();
  expect(JSON.parse(text)).toEqual({ error: { code: "internal", message: "internal error" } });
  expect(text).not.toContain("/secret/path");
  expect(lines).toHaveLength(1);
  expect(lines[0]!.fields?.stack).toContain("boom");
});

test("the JSON logger redacts tickets, bearer tokens and secret fields, and keeps a stack on one line", async () => {
  const { createLogger, errorFields } = await import("../../src/observability/logger.ts");
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((c: string) => (chunks.push(String(c)), true)) as typeof process.stdout.write;
  process.stderr.write = ((c: string) => (chunks.push(String(c)), true)) as typeof process.stderr.write;
  try {
    const log = createLogger("info");
    log.info("upgrade", { url: "/ws?ticket=TICKETVALUE&x=1", authorization: "Bearer TOKENVALUE", note: "Bearer TOKENVALUE2" });
    log.error("failed", errorFields(new Error("multi\nline")));
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
  }
  const out = chunks.join("");
  const lines = out.trim().split("\n");
  expect(lines).toHaveLength(2);
  for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
  for (const secret of ["TICKETVALUE", "TOKENVALUE"]) expect(out).not.toContain(secret);
  expect(JSON.parse(lines[0]!).url).toBe("/ws?ticket=[redacted]&x=1");
  expect(JSON.parse(lines[1]!).stack).toContain("multi");
});
