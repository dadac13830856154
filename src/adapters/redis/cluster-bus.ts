import { z } from "zod";
import { errorFields, type Logger } from "../../observability/logger.ts";
import type { ClusterBus, ClusterEnvelope } from "../../ports/index.ts";
import { serverFrameSchema } from "../../protocol/index.ts";
import type { RedisConnection } from "./connection.ts";

/** The internal wire format between instances — separate from the client protocol. */
const wireSchema = z.object({
  from: z.string(),
  e: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("room"), room: z.string(), frame: serverFrameSchema }),
    z.object({ kind: z.literal("user"), userId: z.string(), frame: serverFrameSchema }),
    z.object({ kind: z.literal("membership"), userId: z.string(), room: z.string(), op: z.enum(["add", "remove", "read-only"]) }),
    z.object({ kind: z.literal("session.revoked"), sessionId: z.string() }),
  ]),
});

/**
 * Redis pub/sub between instances: at-most-once (an envelope published while a subscriber is
 * reconnecting is lost; clients recover messages with `resume`). Envelopes from this instance are
 * ignored, since the core already delivered them locally.
 */
export class RedisClusterBus implements ClusterBus {
  private handlers: ((e: ClusterEnvelope) => void)[] = [];

  constructor(
    private redis: RedisConnection,
    private instanceId: string,
    private log: Logger,
    private channel = "chat:bus",
  ) {}

  async start() {
    await this.redis.sub.subscribe(this.channel, (raw) => this.receive(raw));
  }

  publish(envelope: ClusterEnvelope): void {
    this.redis.cmd.publish(this.channel, JSON.stringify({ from: this.instanceId, e: envelope })).catch((err) => {
      this.log.warn("bus publish failed", { kind: envelope.kind, ...errorFields(err) });
    });
  }

  onEnvelope(handler: (envelope: ClusterEnvelope) => void): void {
    this.handlers.push(handler);
  }

  private receive(raw: string) {
    let parsed;
    try {
      parsed = wireSchema.safeParse(JSON.parse(raw));
    } catch {
      parsed = null;
    }
    if (!parsed?.success) {
      // The schema's complaint names fields, never their values (which may be message bodies).
      const issue = parsed?.error.issues[0];
      this.log.warn("bus envelope rejected", { channel: this.channel, issue: issue ? `${issue.path.join(".")}: ${issue.code}` : "not JSON" });
      return;
    }
    if (parsed.data.from === this.instanceId) return;
    for (const h of this.handlers) h(parsed.data.e as ClusterEnvelope);
  }
}
