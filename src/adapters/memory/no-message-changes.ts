import { fail } from "../../domain/errors.ts";
import type { MessageChangeLog, MessageChangeReader } from "../../ports/index.ts";

/**
 * A storage without message changes (MongoDB until its change adapters are wired): edits,
 * deletions and reactions answer `unavailable`; reads see no changes, and room summaries fall back
 * to counting seqs (RoomService does that for a room missing from `unread`).
 */
export const NO_MESSAGE_CHANGES: { changes: MessageChangeLog; changeReader: MessageChangeReader } = {
  changes: {
    change: async () => fail("unavailable", "editing, deleting and reacting are not available with this storage"),
  },
  changeReader: {
    byId: async () => fail("unavailable", "message changes are not available with this storage"),
    changedAfter: async () => [],
    unread: async () => new Map(),
  },
};
