/**
 * Prometheus metrics through prom-client (text format, label escaping, histogram maths), behind the
 * small API the rest of the server uses. Each registry is its own (never prom-client's global one),
 * so several servers in one process never share series.
 */
import * as prom from "prom-client";

type Labels<L extends string> = Partial<Record<L, string>>;

export class Counter<L extends string = never> {
  constructor(private inner: prom.Counter<L>) {}
  inc(labels: Labels<L> = {}, by = 1): void {
    this.inner.inc(labels, by);
  }
}

export class Histogram {
  constructor(private inner: prom.Histogram) {}
  observe(value: number): void {
    this.inner.observe(value);
  }
}

export class MetricsRegistry {
  private registry = new prom.Registry();

  /** The Content-Type of `render()`'s output. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Labels must be named up front (prom-client refuses undeclared ones); the type checks call sites. */
  counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return new Counter(new prom.Counter<L>({ name, help, labelNames, registers: [this.registry] }));
  }

  /** Sampled when scraped. */
  gauge(name: string, help: string, sample: () => number): void {
    new prom.Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(sample());
      },
    });
  }

  /** One series per value of `label` (e.g. per worker thread), sampled when scraped. */
  sampledByLabel(name: string, help: string, type: "gauge" | "counter", label: string, sample: () => [string, number][]): void {
    const collect = function (this: prom.Gauge<string> | prom.Counter<string>) {
      this.reset();
      for (const [value, n] of sample()) (this instanceof prom.Gauge ? this.set({ [label]: value }, n) : this.inc({ [label]: value }, n));
    };
    const options = { name, help, labelNames: [label], registers: [this.registry], collect };
    if (type === "gauge") new prom.Gauge(options);
    else new prom.Counter(options);
  }

  histogram(name: string, help: string, buckets: number[]): Histogram {
    return new Histogram(new prom.Histogram({ name, help, buckets, registers: [this.registry] }));
  }

  /** The Prometheus text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}

/** The metrics every part of the server reports into. Gauges are registered by their owners. */
export function createChatMetrics(registry = new MetricsRegistry()) {
  return {
    registry,
    messagesIn: registry.counter("chat_messages_in_total", "Messages accepted from clients"),
    messagesOut: registry.counter("chat_messages_out_total", "Message frames delivered to local sockets"),
    framesRejected: registry.counter("chat_frames_rejected_total", "Client frames rejected, by error code", ["code"]),
    ackLatency: registry.histogram("chat_ack_latency_seconds", "Time from receiving a send to its ack (durable)", [
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
    ]),
    busReceived: registry.counter("chat_bus_received_total", "Envelopes this instance received from other instances over the cluster bus"),
  };
}
export type ChatMetrics = ReturnType<typeof createChatMetrics>;
