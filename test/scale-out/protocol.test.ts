/** The protocol suite, unchanged, on the real engines. */
import { describe } from "bun:test";
import { haveEngines, scaleOutEnv } from "../support/engines.ts";
import { protocolSuite } from "../protocol/suite.ts";

describe.skipIf(!haveEngines("redis", "mongodb", "kafka"))("scale-out", () => {
  protocolSuite("Redis + Kafka + MongoDB-wire", () => scaleOutEnv());
});
describe.skipIf(!haveEngines("redis", "mongodb"))("scale-out without Kafka", () => {
  protocolSuite("Redis + MongoDB-wire", () => scaleOutEnv({ KAFKA_BROKERS: "" }));
});
