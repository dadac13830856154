/** A minimal Prometheus text-format registry: counters, gauges (sampled on scrape) and histograms. */
type Labels = Record<string, string>;

const labelKey = (labels: Labels) => {
  // Unlabelled series are by far the most common on the hot path.
  for (const _ in labels) return joinLabels(labels);
  return "";
};
const joinLabels = (labels: Labels) =>
  Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, "_")}"`)
    .join(",");

interface Metric {
  render(): string;
}

export class Counter implements Metric {
  private values = new Map<string, number>();
  constructor(readonly name: string, readonly help: string) {}
  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    if (this.values.size === 0) lines.push(`${this.name} 0`);
    for (const [k, v] of this.values) lines.push(`${this.name}${k ? `{${k}}` : ""} ${v}`);
    return lines.join("\n");
  }
}

export class Gauge implements Metric {
  constructor(readonly name: string, readonly help: string, private sample: () => number) {}
  render(): string {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`, `${this.name} ${this.sample()}`].join("\n");
  }
}

/** Labelled series read from their owner on scrape (e.g. per worker thread). */
export class SampledSeries implements Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    private type: "gauge" | "counter",
    private sample: () => [Labels, number][],
  ) {}
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    for (const [labels, v] of this.sample()) lines.push(`${this.name}{${joinLabels(labels)}} ${v}`);
    return lines.join("\n");
  }
}

export class Histogram implements Metric {
  private counts: number[];
  private sum = 0;
  private total = 0;
  constructor(readonly name: string, readonly help: string, private buckets: number[]) {
    this.counts = buckets.map(() => 0);
  }
  observe(value: number): void {
    this.sum += value;
    this.total++;
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) this.counts[i]!++;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket{le="${b}"} ${this.counts[i]}`));
    lines.push(`${this.name}_bucket{le="+Inf"} ${this.total}`, `${this.name}_sum ${this.sum}`, `${this.name}_count ${this.total}`);
    return lines.join("\n");
  }
}

export class MetricsRegistry {
  private metrics: Metric[] = [];
  counter(name: string, help: string): Counter {
    return this.add(new Counter(name, help));
  }
  gauge(name: string, help: string, sample: () => number): Gauge {
    return this.add(new Gauge(name, help, sample));
  }
  sampled(name: string, help: string, type: "gauge" | "counter", sample: () => [Labels, number][]): SampledSeries {
    return this.add(new SampledSeries(name, help, type, sample));
  }
  histogram(name: string, help: string, buckets: number[]): Histogram {
    return this.add(new Histogram(name, help, buckets));
  }
  render(): string {
    return this.metrics.map((m) => m.render()).join("\n") + "\n";
  }
  private add<M extends Metric>(m: M): M {
    this.metrics.push(m);
    return m;
  }
}

/** The metrics every part of the server reports into. Gauges are registered by their owners. */
export function createChatMetrics(registry = new MetricsRegistry()) {
  return {
    registry,
    messagesIn: registry.counter("chat_messages_in_total", "Messages accepted from clients"),
    messagesOut: registry.counter("chat_messages_out_total", "Message frames delivered to local sockets"),
    framesRejected: registry.counter("chat_frames_rejected_total", "Client frames rejected, by error code"),
    ackLatency: registry.histogram("chat_ack_latency_seconds", "Time from receiving a send to its ack (durable)", [
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
    ]),
  };
}
export type ChatMetrics = ReturnType<typeof createChatMetrics>;
