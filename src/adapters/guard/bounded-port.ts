/**
 * The last line of defence between the domain and an engine: every call a port makes returns, with
 * its result or with `unavailable`, within a deadline, whatever the engine does (a stopped, hung or
 * exhausted store would otherwise hold a request, a socket's frame queue or a shutdown forever).
 * Engine clients have their own, shorter timeouts (which also cancel the work); this deadline
 * catches what they miss. A call that timed out may still complete on the engine: callers retry
 * idempotently (sends carry a clientId), so "unavailable" means "outcome unknown, retry".
 */
import { DomainError } from "../../domain/errors.ts";
import type { EngineHealth } from "../../ports/index.ts";

/** Lifecycle methods are not requests: start and close have their own bounds, health reports. */
const UNGUARDED = new Set<PropertyKey>(["start", "close", "health", "constructor"]);

export class EngineTimeoutError extends Error {
  constructor(readonly port: string, readonly method: string, readonly ms: number) {
    super(`${port}.${method} did not answer within ${ms} ms`);
    this.name = "EngineTimeoutError";
  }
}

export interface GuardEvents {
  /** Called for every call that failed for an engine reason (timeout included), for logs and metrics. */
  onFailure?(port: string, method: string, err: unknown): void;
  /** Called for every call that settled in time (a domain refusal counts: the engine answered). */
  onSuccess?(port: string): void;
}

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function";

/** Rejects with EngineTimeoutError after `ms`, else settles like `p`. */
export function withDeadline<T>(p: PromiseLike<T>, ms: number, port: string, method: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new EngineTimeoutError(port, method, ms)), ms);
  });
  return Promise.race([Promise.resolve(p), deadline]).finally(() => clearTimeout(timer));
}

/**
 * Wraps a port so every promise-returning method settles within `ms`; failures that are not domain
 * decisions become DomainError("unavailable"). Sync methods and non-function members pass through.
 */
export function boundedPort<T extends object>(name: string, port: T, ms: number, events: GuardEvents = {}): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(port, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== "function" || UNGUARDED.has(key)) return value;
      let fn = wrapped.get(key);
      if (!fn) {
        const method = String(key);
        fn = (...args: unknown[]) => {
          const result: unknown = value.apply(target, args);
          if (!isThenable(result)) return result;
          return withDeadline(result, ms, name, method).then(
            (v) => {
              events.onSuccess?.(name);
              return v;
            },
            (err: unknown) => {
              if (err instanceof DomainError) {
                events.onSuccess?.(name);
                throw err;
              }
              events.onFailure?.(name, method, err);
              throw new DomainError("unavailable", "storage is not answering, retry later");
            },
          );
        };
        wrapped.set(key, fn);
      }
      return fn;
    },
  });
}

/**
 * Health of the calls themselves: red while a port's latest engine call failed or timed out within
 * the last `windowMs`, green again once that port answers. A store can answer pings and still not
 * serve queries (an exhausted pool); this sees it.
 */
export class CallHealth {
  private failures = 0;
  /** The latest failure of each port whose calls have not succeeded since. */
  private failing = new Map<string, { at: number; method: string }>();

  constructor(private windowMs: number) {}

  record(port: string, method: string): void {
    this.failures++;
    this.failing.set(port, { at: Date.now(), method });
  }

  recovered(port: string): void {
    if (this.failing.size) this.failing.delete(port);
  }

  async health(): Promise<EngineHealth> {
    const now = Date.now();
    const recent = [...this.failing].find(([, f]) => now - f.at < this.windowMs);
    return {
      name: "engine-calls",
      ok: !recent,
      failures: this.failures,
      ...(recent ? { detail: `${recent[0]}.${recent[1].method} failed ${Math.round((now - recent[1].at) / 1000)} s ago` } : {}),
    };
  }
}
