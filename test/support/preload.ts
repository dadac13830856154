/** Loaded before the test files (bunfig.toml): a run without engines ends with one line naming what it skipped. */
import { afterAll } from "bun:test";
import { skippedSuites } from "./skips.ts";

afterAll(() => {
  const skipped = skippedSuites();
  if (skipped.length === 0) return;
  console.log(
    `Skipped ${skipped.length} suite(s): ${skipped.join("; ")}. To run them: bash scripts/engines/install.sh all && ` +
      "bash scripts/engines/ctl.sh start all && source scripts/engines/env.sh && " +
      'TEST_REDIS_URL=$REDIS_URL TEST_KAFKA_BROKERS=$KAFKA_BROKERS TEST_MONGODB_URI=$MONGODB_URI TEST_ELASTICSEARCH_URL=$ELASTICSEARCH_URL npm test (see README, "Tests").',
  );
});
