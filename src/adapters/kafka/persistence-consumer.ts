/**
 * Moves messages from Kafka into MongoDB. Batches are bulk-upserted by message id (replays and
 * redeliveries are no-ops) and a partition's offset is committed only after its batch is stored and
 * the target flushed what it deferred (the senders' read cursors; at most every `flushEveryMs`, so
 * the moves of one cursor over many batches become one write). A crash before a flush replays the
 * uncommitted batches, which writes their deferred part again.
 * A failed write is retried 3 times with exponential backoff and jitter; then the batch is given
 * back uncommitted and kafkajs fetches it again after its own backoff: never dropped, never skipped.
 */
import type { Admin, ConsumerConfig, EachBatchPayload, Kafka } from "kafkajs";
import { decodeMessage } from "../redis/pipeline-state.ts";
import type { ChatMessage } from "../../domain/model.ts";
import { errorFields, type Logger } from "../../observability/logger.ts";
import { backoffMs } from "../../domain/backoff.ts";

export interface PersistenceTarget {
  /** Idempotent by message id; rejects when nothing can be said about the batch. */
  write(messages: ChatMessage[]): Promise<void>;
  /** Writes what `write` deferred; offsets are committed only after it resolves. */
  flush(): Promise<void>;
}

export interface PersistenceStatus {
  persisted: number;
  /** Batches given back uncommitted after their write attempts failed (fetched again later). */
  givenBack: number;
  lastBatchAt: number | null;
  failingSince: number | null;
}

const WRITE_ATTEMPTS = 3;
const HEARTBEAT_MS = 1000;
/** Default time between flushes of deferred writes (and offset commits). */
const FLUSH_EVERY_MS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Consumer settings of the pipeline's groups (persistence, indexing). */
export const pipelineConsumerConfig = (groupId: string): ConsumerConfig => ({
  groupId,
  // Far below the default 30 s: a member lost in a Kafka outage holds up the group's next
  // rebalance (so all its work) until its session expires. Idle fetches return within
  // maxWaitTimeInMs and writes heartbeat as they go, so a live member always beats in time.
  sessionTimeout: 8000,
  heartbeatInterval: HEARTBEAT_MS,
  maxWaitTimeInMs: 1000,
  retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 500, maxRetryTime: 10_000 },
});

export function startPersistenceConsumer(opts: { kafka: Kafka; topic: string; groupId: string; target: PersistenceTarget; log: Logger; flushEveryMs?: number }) {
  const { kafka, topic, groupId, target, log } = opts;
  const flushEveryMs = opts.flushEveryMs ?? FLUSH_EVERY_MS;
  const status: PersistenceStatus = { persisted: 0, givenBack: 0, lastBatchAt: null, failingSince: null };
  let running = true;
  /** Per partition, the offset to commit at the next flush (the one after its last stored batch). */
  let uncommitted = new Map<number, string>();
  let flushedAt = Date.now();
  // Batches and idle-time flushes take turns: a flush never runs in the middle of a batch.
  let turn: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = turn.then(fn);
    turn = next.catch(() => {});
    return next;
  };

  const withRetries = async (write: () => Promise<void>, heartbeat: () => Promise<void>) => {
    for (let attempt = 1; ; attempt++) {
      // kafkajs heartbeats only when asked to: keep the membership alive during a slow write.
      const beating = setInterval(() => void heartbeat().catch(() => {}), HEARTBEAT_MS);
      try {
        await write();
        status.failingSince = null;
        return;
      } catch (err) {
        status.failingSince ??= Date.now();
        log.warn("mongodb write failed", { attempt, ...errorFields(err) });
        if (attempt >= WRITE_ATTEMPTS) {
          status.givenBack++;
          throw err; // uncommitted: kafkajs fetches the batch again after its retry backoff
        }
        await sleep(backoffMs(attempt, { firstMs: 200, jitter: true }));
      } finally {
        clearInterval(beating);
      }
    }
  };

  const consumer = kafka.consumer(pipelineConsumerConfig(groupId));
  const flushAndCommit = async (heartbeat: () => Promise<void>) => {
    if (uncommitted.size === 0) return;
    const offsets = [...uncommitted].map(([partition, offset]) => ({ topic, partition, offset }));
    await withRetries(() => target.flush(), heartbeat);
    uncommitted = new Map();
    flushedAt = Date.now();
    // Fails after a rebalance took the partitions away: their next owner replays them (idempotent).
    await consumer.commitOffsets(offsets);
  };
  // Nothing may stay uncommitted while no batch comes (lag would never reach zero).
  const idleFlush = setInterval(() => {
    if (uncommitted.size === 0 || Date.now() - flushedAt < flushEveryMs) return;
    void inTurn(() => flushAndCommit(async () => {})).catch((err) => log.warn("deferred persistence flush failed", errorFields(err)));
  }, Math.max(50, flushEveryMs / 2));

  const run = async () => {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: ({ batch, resolveOffset, heartbeat }: EachBatchPayload) => inTurn(async () => {
        const messages: ChatMessage[] = [];
        for (const m of batch.messages) {
          try {
            if (m.value) messages.push(decodeMessage(m.value.toString("utf8")));
          } catch {
            // Not ours (or corrupt): retrying can never store it, and it must not block the partition.
            log.error("undecodable record skipped", { partition: batch.partition, offset: m.offset });
          }
        }
        if (messages.length) await withRetries(() => target.write(messages), heartbeat);
        const last = batch.messages.at(-1);
        if (last) {
          resolveOffset(last.offset); // where the next fetch starts; committed only after the flush
          uncommitted.set(batch.partition, (BigInt(last.offset) + 1n).toString());
        }
        status.persisted += messages.length;
        status.lastBatchAt = Date.now();
        if (Date.now() - flushedAt >= flushEveryMs) await flushAndCommit(heartbeat);
        await heartbeat();
      }),
    });
  };

  // In the background, retried: Kafka may be down at startup, and joining the group can wait on a
  // rebalance with other instances. Startup waits for neither.
  void (async () => {
    for (let attempt = 0; running; attempt++) {
      try {
        return await run();
      } catch (err) {
        log.warn("persistence consumer not started yet", errorFields(err));
        await consumer.disconnect().catch(() => {});
        await sleep(backoffMs(attempt));
      }
    }
  })();

  return {
    status,
    async close() {
      running = false;
      clearInterval(idleFlush);
      // What was stored is committed before leaving, so the next owner does not replay it.
      await inTurn(() => flushAndCommit(async () => {})).catch((err) => log.warn("deferred persistence flush failed", errorFields(err)));
      await consumer.disconnect().catch(() => {});
    },
  };
}

/**
 * Records the group has not committed yet, summed over partitions; null while Kafka does not
 * answer. Keeps one admin connection between probes.
 */
export function lagProbe(kafka: Kafka, topic: string, groupId: string) {
  let admin: Admin | null = null;
  return {
    async lag(): Promise<number | null> {
      try {
        if (!admin) {
          admin = kafka.admin();
          await admin.connect();
        }
        const [ends, [committed]] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
        const done = new Map(committed?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
        return ends.reduce((sum, p) => {
          const at = done.get(p.partition) ?? -1;
          return sum + Math.max(0, Number(p.high) - (at < 0 ? Number(p.low) : at));
        }, 0);
      } catch {
        await this.close();
        return null;
      }
    },
    async close() {
      const a = admin;
      admin = null;
      await a?.disconnect().catch(() => {});
    },
  };
}
