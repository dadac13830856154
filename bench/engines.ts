/**
 * Scale-out mode for the benchmark: the engines of scripts/engines (or REDIS_URL / KAFKA_BROKERS /
 * MONGODB_URI from the environment), used only when every one of them accepts a TCP connection.
 * Each call gets its own namespace (MongoDB database, Kafka topics and consumer group).
 */
import { connect } from "node:net";

const urls = {
  redis: process.env.REDIS_URL ?? process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:16379",
  kafka: process.env.KAFKA_BROKERS ?? process.env.TEST_KAFKA_BROKERS ?? "127.0.0.1:19092",
  mongodb: process.env.MONGODB_URI ?? process.env.TEST_MONGODB_URI ?? "mongodb://127.0.0.1:27117/chat",
};

const hostPort = (s: string) => {
  const m = /^(?:\w+:\/\/)?([^/:,]+):(\d+)/.exec(s);
  return m ? { host: m[1]!, port: Number(m[2]) } : null;
};

const reachable = (s: string) =>
  new Promise<boolean>((resolve) => {
    const hp = hostPort(s);
    if (!hp) return resolve(false);
    const sock = connect(hp.port, hp.host);
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.once("connect", () => done(true));
    sock.once("error", () => done(false));
    sock.setTimeout(1000, () => done(false));
  });

/** Which engines are missing (empty when scale-out can run). */
export async function missingEngines(): Promise<string[]> {
  const checks = await Promise.all(Object.entries(urls).map(async ([name, url]) => [name, await reachable(url)] as const));
  return checks.filter(([, ok]) => !ok).map(([name]) => name);
}

export function scaleOutEnv(): Record<string, string> {
  const ns = `bench${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  return {
    REDIS_URL: urls.redis,
    KAFKA_BROKERS: urls.kafka,
    MONGODB_URI: urls.mongodb.replace(/\/[^/?]*(\?|$)/, `/${ns}$1`),
    KAFKA_MESSAGES_TOPIC: `chat.messages.${ns}`,
    KAFKA_AI_TOPIC: `chat.ai.${ns}`,
    KAFKA_CLIENT_ID: `chat-${ns}`,
    JWT_SECRET: "benchmark-secret-benchmark-secret-0123456789",
  };
}
