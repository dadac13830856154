/** The fan-out sweep as an SVG line chart (p99 latency vs delivered rate), converted to PNG when rsvg-convert exists. */
import type { FanoutStep } from "./sweep.ts";

const COLORS: Record<string, string> = { project: "#2563eb", scaleout: "#9333ea", bare: "#16a34a", socketio: "#dc2626", centrifugo: "#0891b2", "cross-instance": "#ea580c" };

export function fanoutSvg(series: Record<string, FanoutStep[]>): string {
  const W = 800, H = 480, L = 70, R = 20, T = 40, B = 60;
  const pts = Object.values(series).flat();
  const maxX = Math.max(1, ...pts.map((p) => p.deliveredPerSec)) * 1.05;
  const maxY = Math.min(200, Math.max(30, ...pts.map((p) => p.p99))) * 1.05;
  const x = (v: number) => L + (v / maxX) * (W - L - R);
  const y = (v: number) => T + (1 - Math.min(v, maxY) / maxY) * (H - T - B);
  const grid: string[] = [];
  for (let i = 0; i <= 5; i++) {
    const vx = (maxX / 5) * i, vy = (maxY / 5) * i;
    grid.push(`<line x1="${x(vx)}" y1="${T}" x2="${x(vx)}" y2="${H - B}" stroke="#eee"/><text x="${x(vx)}" y="${H - B + 18}" font-size="11" text-anchor="middle">${Math.round(vx / 1000)}k</text>`);
    grid.push(`<line x1="${L}" y1="${y(vy)}" x2="${W - R}" y2="${y(vy)}" stroke="#eee"/><text x="${L - 8}" y="${y(vy) + 4}" font-size="11" text-anchor="end">${vy.toFixed(0)}</text>`);
  }
  const lines = Object.entries(series).map(([name, steps], i) => {
    const d = steps.map((s, j) => `${j ? "L" : "M"}${x(s.deliveredPerSec).toFixed(1)},${y(s.p99).toFixed(1)}`).join(" ");
    const dots = steps.map((s) => `<circle cx="${x(s.deliveredPerSec)}" cy="${y(s.p99)}" r="3" fill="${COLORS[name] ?? "#555"}"/>`).join("");
    return `<path d="${d}" fill="none" stroke="${COLORS[name] ?? "#555"}" stroke-width="2"/>${dots}<text x="${W - R - 150}" y="${T + 16 * (i + 1)}" font-size="13" fill="${COLORS[name] ?? "#555"}">— ${name}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${W / 2}" y="22" font-size="15" text-anchor="middle">Fan-out: p99 latency vs delivered messages/s (rooms of 50, 200 clients)</text>
${grid.join("\n")}
<line x1="${L}" y1="${y(25)}" x2="${W - R}" y2="${y(25)}" stroke="#999" stroke-dasharray="4 4"/><text x="${L + 4}" y="${y(25) - 4}" font-size="11" fill="#666">p99 = 25 ms</text>
${lines.join("\n")}
<text x="${W / 2}" y="${H - 15}" font-size="12" text-anchor="middle">delivered messages/s (per recipient)</text>
<text x="18" y="${H / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 18 ${H / 2})">p99 latency (ms)</text>
</svg>`;
}

export async function writeChart(svgPath: string, pngPath: string, svg: string): Promise<string> {
  await Bun.write(svgPath, svg);
  const which = Bun.spawnSync(["which", "rsvg-convert"]);
  if (which.exitCode !== 0) return svgPath;
  const r = Bun.spawnSync(["rsvg-convert", "-o", pngPath, svgPath]);
  return r.exitCode === 0 ? pngPath : svgPath;
}
