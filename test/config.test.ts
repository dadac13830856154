import { expect, test } from "bun:test";
import { join } from "node:path";

const run = (env: Record<string, string>) =>
  Bun.spawnSync([process.execPath, join(import.meta.dir, "..", "src", "main.ts")], {
    env: { PATH: process.env.PATH ?? "", DATA_DIR: "/tmp/chat-config-test", ...env },
    timeout: 20_000,
  });

test("a bad configuration value stops startup with a message naming the variable", () => {
  const bad = run({ PORT: "not-a-port" });
  expect(bad.exitCode).toBe(2);
  expect(bad.stderr.toString()).toContain("PORT");
  const shortSecret = run({ JWT_SECRET: "short" });
  expect(shortSecret.exitCode).toBe(2);
  expect(shortSecret.stderr.toString()).toContain("JWT_SECRET");
  const kafkaWithoutRedis = run({ KAFKA_BROKERS: "127.0.0.1:1", JWT_SECRET: "x".repeat(40) });
  expect(kafkaWithoutRedis.exitCode).toBe(2);
  expect(kafkaWithoutRedis.stderr.toString()).toContain("REDIS_URL");
});
