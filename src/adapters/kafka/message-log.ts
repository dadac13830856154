import type { AppendResult, ChatMessage, MessageDraft } from "../../domain/model.ts";
import { errorFields, type Logger } from "../../observability/logger.ts";
import type { ChangeDraft, ChangeResult, MessageChangeLog, MessageLog } from "../../ports/index.ts";
import type { StoredChanges } from "./cached-change-reader.ts";
import type { StoredById } from "./replies.ts";
import type { BatchingProducer } from "./batching-producer.ts";
import type { RedisPipelineState } from "../redis/pipeline-state.ts";
import type { RedisChangeState } from "../redis/change-state.ts";
import type { StoredMessage } from "../../domain/message-state.ts";

/**
 * Scale-out message log. Redis assigns the seq, records the idempotency key and puts the message in
 * its outbox in one atomic step; the message is durable once Kafka acknowledges it. When Kafka
 * cannot take it, it stays in the outbox ("parked", 7 days) and is still accepted: the pipeline
 * worker re-publishes it with backoff. The worker also moves messages from Kafka into MongoDB.
 *
 * Changes (edits, deletions, reactions) take the same path: Redis decides them on the message's
 * current state and assigns the room's next seq in one step (see RedisChangeState), and the
 * resulting state travels the same topic, keyed by room, acked once Kafka or the outbox has it.
 */
export class KafkaMessageLog implements MessageLog, MessageChangeLog {
  /** Rooms being seeded from the store, shared by concurrent first appends. */
  private seeding = new Map<string, Promise<void>>();
  /** Set by a failed produce, cleared by a successful one (see publish). */
  private kafkaDown = false;
  private probing = false;

  constructor(
    private state: RedisPipelineState,
    private producer: BatchingProducer,
    /** The durable store only (the recent cache is gone whenever the counter is): each room's newest seq, of a message or a change. */
    private store: Pick<StoredChanges, "lastSeqs">,
    /** Changes: their Redis state, and the durable store's copy of a message to seed it from. */
    private changes: {
      state: RedisChangeState;
      /** As stored, replies unresolved (a ReplyRef's snippet must never be copied into a state). */
      storedById: StoredById;
      /** Sets replies' ReplyRefs (see replies.ts). */
      present: (messages: readonly StoredMessage[]) => Promise<ChatMessage[]>;
    },
    private firstRetryMs: number,
    private log: Logger,
    /**
     * Resolves once everything already in Kafka is in the store. A counter is seeded from the
     * store's last seq; seeding while messages are still on their way through Kafka (Redis lost
     * its data mid-traffic) would hand their seqs out again.
     */
    private persisted: () => Promise<void> = async () => {},
  ) {}

  async append(draft: MessageDraft): Promise<AppendResult> {
    let accepted = await this.state.accept(draft);
    // The counter is missing the first time this Redis sees the room, and after Redis lost its
    // data: seed it from the store (SET NX, so concurrent seeders agree) and accept again.
    for (let i = 0; accepted === "unseeded" && i < 3; i++) {
      await this.seed(draft.room);
      accepted = await this.state.accept(draft);
    }
    if (accepted === "unseeded") throw new Error(`seq counter of room ${draft.room} could not be seeded`);
    if (accepted.duplicate) return accepted; // the original is in Kafka or in the outbox

    await this.publish(accepted.message);
    return accepted;
  }

  async change(draft: ChangeDraft): Promise<ChangeResult> {
    const { state, storedById } = this.changes;
    for (let i = 0; i < 4; i++) {
      const decided = await state.change(draft);
      if (decided === "unseeded") {
        await this.seed(draft.room);
        continue;
      }
      if (decided === "unknown") {
        // First change of a message that left the recent cache: its state starts as the store has it
        // (no change of it can be in flight: its Redis state outlives the outbox's records).
        const stored = (await storedById([draft.messageId])).get(draft.messageId);
        if (!stored || stored.room !== draft.room) return { status: "not_found" };
        await state.seed(stored);
        continue;
      }
      if (decided.status === "applied") await this.publish(decided.message, state.outboxKey(decided.message));
      if (decided.status !== "applied" && decided.status !== "noop") return decided;
      const [message] = await this.changes.present([decided.message]);
      return { ...decided, message: message! };
    }
    throw new Error(`change to message ${draft.messageId} could not be decided`);
  }

  /**
   * Into Kafka, or parked in the outbox when Kafka cannot take it. While Kafka is down, messages
   * are parked (and acked) at once instead of each waiting out a produce timeout; one of them at a
   * time is tried in the background, and the first that gets through ends the outage.
   */
  private async publish(message: ChatMessage, key = message.id): Promise<void> {
    if (!this.kafkaDown) {
      try {
        await this.producer.send(message);
        this.state.release(key);
        return;
      } catch (err) {
        if (!this.kafkaDown) this.log.warn("kafka unavailable, parking messages", errorFields(err));
        this.kafkaDown = true;
      }
    }
    await this.state.park(key, Date.now() + this.firstRetryMs);
    if (!this.probing) void this.probe(message, key);
  }

  private async probe(message: ChatMessage, key: string) {
    this.probing = true;
    try {
      await this.producer.send(message);
      this.state.release(key); // else the retry loop would publish it again (harmless)
      if (this.kafkaDown) this.log.info("kafka available again");
      this.kafkaDown = false;
    } catch {
      // still down; the next parked message probes again
    } finally {
      this.probing = false;
    }
  }

  backlog(): Promise<number> {
    return this.state.parkedCount();
  }

  /**
   * Counters are seeded from the store. When Redis lost its data (no epoch), messages accepted
   * before may still be on their way through Kafka with seqs the store does not show yet: wait
   * until they are persisted (sends answer `unavailable` meanwhile), then start a new epoch.
   */
  private settling: Promise<void> | null = null;
  private async settle(): Promise<void> {
    if (await this.state.hasEpoch()) return;
    this.settling ??= (async () => {
      await this.persisted();
      await this.state.markEpoch();
    })().finally(() => (this.settling = null));
    await this.settling;
  }

  private seed(room: string): Promise<void> {
    let p = this.seeding.get(room);
    if (!p) {
      p = (async () => {
        await this.settle();
        const max = (await this.store.lastSeqs([room])).get(room) ?? 0;
        await this.state.seedSeq(room, max);
      })().finally(() => this.seeding.delete(room));
      this.seeding.set(room, p);
    }
    return p;
  }
}
