/**
 * The short form of the chaos run inside `npm test`: a few faults, each audited like `npm run chaos`
 * (nothing acked lost or doubled, no client left with a gap, presence settles).
 */
import { describe, expect, test } from "bun:test";
import { haveEngines } from "../support/engines.ts";
import { FAULTS } from "./faults.ts";
import { passed, table } from "./run.ts";
import { runScenario, type Fault } from "./scenario.ts";

const byName = (text: string): Fault => FAULTS.find((f) => f.name.includes(text))!;
const isRoot = process.getuid?.() === 0;

const check = async (fault: Fault) => {
  const result = await runScenario(fault);
  expect(passed(result), table([result])).toBe(true);
  expect(result.acked).toBeGreaterThan(0);
};

describe("chaos (short): embedded", () => {
  test("kill -9 of the server during sends", () => check(byName("kill -9 of the server")), 120_000);
  test.skipIf(!isRoot)("disk full on the data dir (tmpfs, needs root)", () => check(byName("disk full")), 120_000);
});

describe.skipIf(!haveEngines("redis", "kafka", "mongodb"))("chaos (short): scale-out", () => {
  test("MongoDB-wire server hung (SIGSTOP, SIGCONT)", () => check(byName("MongoDB-wire server hung")), 180_000);
  test("client network cut without a close frame", () => check(byName("network cut")), 180_000);
});
