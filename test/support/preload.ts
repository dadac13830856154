/**
 * Loaded before every test file (bunfig.toml). Server-starting tests need more than bun's 5 s
 * default on a busy machine; and a run without engines ends with one line naming what it skipped.
 */
import { afterAll, setDefaultTimeout } from "bun:test";
import { skippedSuites } from "./skips.ts";

setDefaultTimeout(60_000);

afterAll(() => {
  const skipped = skippedSuites();
  if (skipped.length === 0) return;
  console.log(
    `Skipped ${skipped.length} suite(s): ${skipped.join("; ")}. To run them: bash scripts/engines/install.sh all && ` +
      "bash scripts/engines/ctl.sh start all && source scripts/engines/env.sh && " +
      'TEST_REDIS_URL=$REDIS_URL TEST_KAFKA_BROKERS=$KAFKA_BROKERS TEST_MONGODB_URI=$MONGODB_URI npm test (see README, "Tests").',
  );
});
