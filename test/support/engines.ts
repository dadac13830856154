import { describeIf } from "./skips.ts";

/**
 * Where the real engines are, for tests. Set by `scripts/engines/env.sh` (TEST_REDIS_URL,
 * TEST_KAFKA_BROKERS, TEST_MONGODB_URI, TEST_ELASTICSEARCH_URL). With REQUIRE_ENGINES=1 (CI) a missing engine fails the
 * suite instead of skipping it.
 */
export type EngineName = "redis" | "kafka" | "mongodb" | "elasticsearch";

const VARS: Record<EngineName, string> = {
  redis: "TEST_REDIS_URL",
  kafka: "TEST_KAFKA_BROKERS",
  mongodb: "TEST_MONGODB_URI",
  elasticsearch: "TEST_ELASTICSEARCH_URL",
};

export const enginesRequired = () => process.env.REQUIRE_ENGINES === "1" || process.env.CI === "true";

/** The engine's address, or undefined (suite skipped) outside CI. */
export function engineUrl(name: EngineName): string | undefined {
  const value = process.env[VARS[name]];
  if (!value && enginesRequired()) {
    throw new Error(`${VARS[name]} is not set but engines are required (CI): start them with scripts/engines`);
  }
  return value || undefined;
}

/** True when every named engine is configured; throws in CI when one is missing. */
export const haveEngines = (...names: EngineName[]) => names.every((n) => engineUrl(n) !== undefined);

/** A suite that needs real engines: skipped (and listed at the end of the run) without them. */
export const describeWithEngines = (names: EngineName[], label: string, fn: () => void) =>
  describeIf(haveEngines(...names), label, `needs ${names.join(", ")}`, fn);

/**
 * Server environment for scale-out mode with every engine. Each call gets its own namespace (MongoDB
 * database, Kafka topics and consumer group), so suites never read each other's data; instances
 * that must share a cluster share one env.
 */
export function scaleOutEnv(extra: Record<string, string> = {}): Record<string, string> {
  const ns = `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const mongo = engineUrl("mongodb");
  return {
    REDIS_URL: engineUrl("redis") ?? "",
    KAFKA_BROKERS: engineUrl("kafka") ?? "",
    MONGODB_URI: mongo ? mongo.replace(/\/[^/?]*(\?|$)/, `/${ns}$1`) : "",
    KAFKA_MESSAGES_TOPIC: `chat.messages.${ns}`,
    KAFKA_AI_TOPIC: `chat.ai.${ns}`,
    KAFKA_ACTIVITY_TOPIC: `chat.activity.${ns}`,
    ES_INDEX_PREFIX: ns,
    KAFKA_CLIENT_ID: `chat-${ns}`,
    JWT_SECRET: "test-secret-test-secret-test-secret-123",
    ...extra,
  };
}
