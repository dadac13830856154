/**
 * Where the real engines are, for tests. Set by `scripts/engines/env.sh` (TEST_REDIS_URL,
 * TEST_KAFKA_BROKERS, TEST_MONGODB_URI). With REQUIRE_ENGINES=1 (CI) a missing engine fails the
 * suite instead of skipping it.
 */
export type EngineName = "redis" | "kafka" | "mongodb";

const VARS: Record<EngineName, string> = {
  redis: "TEST_REDIS_URL",
  kafka: "TEST_KAFKA_BROKERS",
  mongodb: "TEST_MONGODB_URI",
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

/** Server environment for scale-out mode with every engine. */
export function scaleOutEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    REDIS_URL: engineUrl("redis") ?? "",
    KAFKA_BROKERS: engineUrl("kafka") ?? "",
    MONGODB_URI: engineUrl("mongodb") ?? "",
    JWT_SECRET: "test-secret-test-secret-test-secret-123",
    ...extra,
  };
}
