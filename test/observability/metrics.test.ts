/** The metrics registry writes valid Prometheus text: counters, gauges, histograms and escaped labels. */
import { expect, test } from "bun:test";
import { MetricsRegistry } from "../../src/observability/metrics.ts";

test("label values with quotes, backslashes and newlines are escaped, not mangled", async () => {
  const registry = new MetricsRegistry();
  const counter = registry.counter("t_rejected_total", "by code", ["code"]);
  counter.inc({ code: 'say "hi"\\now\nnext' }, 2);
  const text = await registry.render();
  expect(text).toContain('t_rejected_total{code="say \\"hi\\"\\\\now\\nnext"} 2');
});

test("counters, sampled gauges and histograms render in the text format", async () => {
  const registry = new MetricsRegistry();
  const counter = registry.counter("t_in_total", "messages in");
  let sockets = 3;
  registry.gauge("t_sockets", "open sockets", () => sockets);
  const latency = registry.histogram("t_latency_seconds", "latency", [0.01, 0.1]);
  counter.inc();
  counter.inc({}, 4);
  latency.observe(0.05);
  latency.observe(0.5);
  sockets = 7;
  const text = await registry.render();
  expect(text).toContain("# TYPE t_in_total counter");
  expect(text).toMatch(/^t_in_total 5$/m);
  expect(text).toMatch(/^t_sockets 7$/m);
  expect(text).toMatch(/^t_latency_seconds_bucket\{le="0.01"\} 0$/m);
  expect(text).toMatch(/^t_latency_seconds_bucket\{le="0.1"\} 1$/m);
  expect(text).toMatch(/^t_latency_seconds_bucket\{le="\+Inf"\} 2$/m);
  expect(text).toMatch(/^t_latency_seconds_count 2$/m);
  expect(registry.contentType).toContain("text/plain");
});

test("two registries never share series", async () => {
  const a = new MetricsRegistry();
  const b = new MetricsRegistry();
  a.counter("t_same_total", "same name").inc();
  b.counter("t_same_total", "same name");
  expect(await b.render()).toMatch(/^t_same_total 0$/m);
});
