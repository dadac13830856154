import type { Client } from "@elastic/elasticsearch";
import type { MappingTypeMapping } from "@elastic/elasticsearch/lib/api/types";

/** Index names under one prefix, so deployments (and test runs) sharing a cluster never mix. */
export const indexNames = (prefix: string) => ({
  messages: `${prefix}-messages`,
  /** A data stream: time-based backing indices, appended to only. */
  activity: `${prefix}-activity`,
  /** Documents Elasticsearch rejected, kept whole (not indexed) with the reason, never dropped. */
  parked: `${prefix}-parked`,
});
export type IndexNames = ReturnType<typeof indexNames>;

const messagesMapping = {
  dynamic: "strict",
  // Trigrams are for matching only: kept out of _source, which stays the message as in history.
  _source: { excludes: ["grams"] },
  properties: {
    id: { type: "keyword" },
    room: { type: "keyword" },
    seq: { type: "long" },
    from: { type: "keyword" },
    fromName: { type: "keyword" },
    body: { type: "text" },
    createdAt: { type: "long" },
    clientId: { type: "keyword", index: false },
    incomplete: { type: "boolean" },
    grams: { type: "keyword" },
  },
} satisfies MappingTypeMapping;

const activityMapping = {
  dynamic: "strict",
  properties: {
    "@timestamp": { type: "date", format: "epoch_millis" },
    id: { type: "keyword" },
    type: { type: "keyword" },
    user: { type: "keyword" },
    room: { type: "keyword" },
    instance: { type: "keyword" },
    details: {
      properties: {
        messageId: { type: "keyword" },
        length: { type: "integer" },
        latencyMs: { type: "double" },
        code: { type: "keyword" },
        open: { type: "integer" },
        op: { type: "keyword" },
        member: { type: "keyword" },
        peer: { type: "keyword" },
      },
    },
  },
} satisfies MappingTypeMapping;

const single = { number_of_shards: 1, number_of_replicas: 0 } as const;

/**
 * Creates the messages index, the activity data stream's template and the parking index unless they
 * exist; safe to run from every instance at every start.
 */
export async function ensureIndices(client: Client, names: IndexNames, retentionDays: number, replicas = 0): Promise<void> {
  const settings = { ...single, number_of_replicas: replicas };
  await client.indices.putIndexTemplate({
    name: names.activity,
    index_patterns: [`${names.activity}*`],
    data_stream: {},
    priority: 200,
    template: {
      settings,
      mappings: activityMapping,
      // Honoured by a full Elasticsearch (data stream lifecycle); the cleanup in activity-retention.ts
      // does the same where that module is missing.
      lifecycle: { data_retention: `${retentionDays}d` },
    },
  });
  const parkedMapping: MappingTypeMapping = { dynamic: false, properties: { at: { type: "date", format: "epoch_millis" }, index: { type: "keyword" } } };
  for (const [index, mappings] of [
    [names.messages, messagesMapping],
    [names.parked, parkedMapping],
  ] as const) {
    if (await client.indices.exists({ index })) continue;
    await client.indices.create({ index, settings, mappings }, { ignore: [400] }); // 400: created meanwhile by another instance
  }
}
