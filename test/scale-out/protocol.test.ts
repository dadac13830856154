/** The protocol suite, unchanged, on the real engines. */
import { describeWithEngines, scaleOutEnv } from "../support/engines.ts";
import { protocolSuite } from "../protocol/suite.ts";

describeWithEngines(["redis", "mongodb", "kafka"], "scale-out", () => {
  protocolSuite("Redis + Kafka + MongoDB-wire", () => scaleOutEnv());
});
describeWithEngines(["redis", "mongodb"], "scale-out without Kafka", () => {
  protocolSuite("Redis + MongoDB-wire", () => scaleOutEnv({ KAFKA_BROKERS: "" }));
});
