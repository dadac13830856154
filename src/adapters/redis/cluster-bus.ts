import { z } from "zod";
import { errorFields, type Logger } from "../../observability/logger.ts";
import { BROADCAST, type BusTopic, type ClusterBus, type ClusterEnvelope } from "../../ports/index.ts";
import { serverFrameSchema, type ServerFrame } from "../../protocol/index.ts";
import type { RedisConnection } from "./connection.ts";

/**
 * Wire format, one line of header then the payload:
 *   `F<from>\t<frame type>\n<serialised frame>`  a frame, forwarded to sockets untouched;
 *   `C<from>\n<json>`                             a control envelope (rare), checked with zod.
 * Frames are produced by another instance's own serialiser from a validated frame, so the receiver
 * checks only the header (known frame type) and the payload's outline, never the full frame schema.
 */
const FRAME_TYPES: ReadonlySet<string> = new Set(serverFrameSchema.options.map((o) => o.shape.type.value));
const isFrameType = (t: string): t is ServerFrame["type"] => FRAME_TYPES.has(t);
const controlSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("membership"), userId: z.string(), room: z.string(), op: z.enum(["add", "remove", "read-only"]) }),
  z.object({ kind: z.literal("session.revoked"), sessionId: z.string() }),
]);

type Decoded = { from: string; envelope: ClusterEnvelope } | { error: string };

export function encodeEnvelope(from: string, e: ClusterEnvelope): string {
  return e.kind === "frame" ? `F${from}\t${e.frameType}\n${e.frame}` : `C${from}\n${JSON.stringify(e)}`;
}

export function decodeEnvelope(raw: string): Decoded {
  const nl = raw.indexOf("\n");
  if (nl < 2) return { error: "no header" };
  const payload = raw.slice(nl + 1);
  if (raw[0] === "F") {
    const tab = raw.indexOf("\t");
    if (tab < 0 || tab > nl) return { error: "frame header" };
    const frameType = raw.slice(tab + 1, nl);
    if (!isFrameType(frameType)) return { error: "unknown frame type" };
    if (payload[0] !== "{" || payload.at(-1) !== "}") return { error: "frame is not a JSON object" };
    return { from: raw.slice(1, tab), envelope: { kind: "frame", frameType, frame: payload } };
  }
  if (raw[0] === "C") {
    let json: unknown;
    try {
      json = JSON.parse(payload);
    } catch {
      return { error: "control is not JSON" };
    }
    const parsed = controlSchema.safeParse(json);
    // The complaint names fields, never their values.
    if (!parsed.success) return { error: `control: ${parsed.error.issues[0]?.path.join(".")}` };
    return { from: raw.slice(1, nl), envelope: parsed.data };
  }
  return { error: "unknown envelope kind" };
}

/**
 * Redis 7 sharded pub/sub (SSUBSCRIBE/SPUBLISH), one channel per topic, so an instance receives only
 * the rooms and users it has sockets for (in a Redis Cluster each channel would live on one shard;
 * that needs node-redis's cluster client in `connection.ts`, not used today).
 * Subscriptions are reconciled per channel: calls for one channel run one after another against the
 * wanted state, and after every reconnect all wanted channels are subscribed again (node-redis
 * restores only the subscriptions that had completed before the connection dropped).
 */
export class RedisClusterBus implements ClusterBus {
  private handler: (topic: BusTopic, e: ClusterEnvelope) => void = () => {};
  /** Channels this instance wants, by topic. */
  private wanted = new Set<BusTopic>();
  /** The tail of each channel's queue of reconciliations; removed once the queue is idle. */
  private pending = new Map<BusTopic, Promise<void>>();
  private listener = (raw: string, channel: string) => this.receive(raw, channel);
  /** Set on close: sockets closing at shutdown must not touch a connection that is going away. */
  private closed = false;

  constructor(
    private redis: RedisConnection,
    private instanceId: string,
    private log: Logger,
    private prefix = "chat:",
  ) {
    if (/\s/.test(instanceId)) throw new Error("instance id must not contain whitespace");
  }

  async start() {
    this.redis.sub.on("ready", this.resubscribe);
    await this.subscribe(BROADCAST);
  }

  async close() {
    this.closed = true;
    this.redis.sub.off("ready", this.resubscribe);
  }

  publish(topic: BusTopic, envelope: ClusterEnvelope): void {
    this.redis.cmd.sPublish(this.prefix + topic, encodeEnvelope(this.instanceId, envelope)).catch((err) => {
      this.log.warn("bus publish failed", { kind: envelope.kind, ...errorFields(err) });
    });
  }

  subscribe(topic: BusTopic): Promise<void> {
    this.wanted.add(topic);
    return this.reconcile(topic);
  }

  unsubscribe(topic: BusTopic): void {
    if (topic === BROADCAST) return;
    this.wanted.delete(topic);
    void this.reconcile(topic);
  }

  onEnvelope(handler: (topic: BusTopic, envelope: ClusterEnvelope) => void): void {
    this.handler = handler;
  }

  private resubscribe = () => {
    for (const topic of this.wanted) void this.reconcile(topic);
  };

  /** Queues one step that brings the channel to the wanted state; resolves once it is there (or failed). */
  private reconcile(topic: BusTopic): Promise<void> {
    const step = async () => {
      if (this.closed) return;
      const channel = this.prefix + topic;
      const current = this.redis.sub.getPubSubListeners("SHARDED").get(channel);
      const have = !!current && !current.unsubscribing;
      const want = this.wanted.has(topic);
      try {
        if (want && !have) await this.redis.sub.sSubscribe(channel, this.listener);
        else if (!want && have) await this.redis.sub.sUnsubscribe(channel, this.listener);
      } catch (err) {
        // Retried on the next reconnect; until then this instance misses the topic (at-most-once).
        this.log.warn("bus subscription failed", { op: want ? "subscribe" : "unsubscribe", ...errorFields(err) });
      }
    };
    const tail = (this.pending.get(topic) ?? Promise.resolve()).then(step);
    this.pending.set(topic, tail);
    void tail.then(() => {
      if (this.pending.get(topic) === tail) this.pending.delete(topic);
    });
    return tail;
  }

  private receive(raw: string, channel: string) {
    const decoded = decodeEnvelope(raw);
    if ("error" in decoded) {
      this.log.warn("bus envelope rejected", { channel, issue: decoded.error });
      return;
    }
    if (decoded.from === this.instanceId) return;
    this.handler(channel.slice(this.prefix.length), decoded.envelope);
  }
}
