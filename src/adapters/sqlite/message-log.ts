import type { MessageDraft } from "../../domain/model.ts";
import type { MessageLog } from "../../ports/index.ts";
import type { SqliteWriterClient } from "./writer-client.ts";

/** Embedded message log: durable once the writer worker's transaction commits. */
export class SqliteMessageLog implements MessageLog {
  constructor(private writer: SqliteWriterClient) {}
  append(draft: MessageDraft) {
    return this.writer.append(draft);
  }
  async backlog() {
    return this.writer.inFlight;
  }
}
