import type { MessageDraft } from "../../domain/model.ts";
import type { ChangeDraft, MessageChangeLog, MessageLog } from "../../ports/index.ts";
import type { SqliteWriterClient } from "./writer-client.ts";

/** Embedded message log: durable once the writer worker's transaction commits (changes too, in the same batches). */
export class SqliteMessageLog implements MessageLog, MessageChangeLog {
  constructor(private writer: SqliteWriterClient) {}
  append(draft: MessageDraft) {
    return this.writer.append(draft);
  }
  change(draft: ChangeDraft) {
    return this.writer.change(draft);
  }
  async backlog() {
    return this.writer.inFlight;
  }
}
