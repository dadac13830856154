/// <reference lib="webworker" />
/**
 * The control protocol every engine worker shares: `init` starts it (answered by `ready`, or `fatal`
 * with the reason), `close` stops it (answered by `closed` once its loops and connections are shut).
 */
type Control = { kind: "ready" } | { kind: "closed" } | { kind: "fatal"; error: string };

export function hostWorker<Init extends { kind: "init" }>(start: (init: Init) => Promise<() => Promise<void>>): void {
  const scope = self as unknown as Worker;
  const post = (m: Control) => scope.postMessage(m);
  let stop: (() => Promise<void>) | null = null;
  scope.onmessage = (event: MessageEvent<Init | { kind: "close" }>) => {
    const msg = event.data;
    if (msg.kind === "init") {
      start(msg as Init).then(
        (s) => {
          stop = s;
          post({ kind: "ready" });
        },
        (err) => post({ kind: "fatal", error: err instanceof Error ? err.message : String(err) }),
      );
    } else if (msg.kind === "close") {
      void (stop?.() ?? Promise.resolve()).finally(() => post({ kind: "closed" }));
    }
  };
}
