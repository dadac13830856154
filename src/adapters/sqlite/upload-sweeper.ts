import type { Logger } from "../../observability/logger.ts";
import type { Lifecycle } from "../../ports/index.ts";
import { WORKER_URLS } from "../../worker-urls.ts";
import { SupervisedWorker, type Handshake } from "../../threads/supervised-worker.ts";
import type { FromSweeper, SweeperInit } from "./upload-sweeper-protocol.ts";

/** The socket thread's handle on the upload sweeper thread: supervised (restarted if it dies), logs what it removed. */
export function uploadSweeper(init: Omit<SweeperInit, "kind">, log: Logger): Lifecycle {
  const worker = new SupervisedWorker<SweeperInit | { kind: "close" }, FromSweeper | Handshake>({
    name: "upload-sweeper",
    url: WORKER_URLS.uploadSweeper,
    init: () => ({ kind: "init", ...init }),
    onMessage: (m) => {
      if (m.kind === "swept") log.info("expired uploads removed", { removed: m.removed });
      else log.warn("upload sweep failed", { error: m.error });
    },
    onDown: (reason) => log.warn("upload sweeper down", { reason }),
    log,
  });
  return { start: () => worker.start(), close: () => worker.close({ kind: "close" }), workers: () => [worker] };
}
