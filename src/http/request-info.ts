import type { Context } from "hono";
import { getConnInfo } from "hono/bun";

/**
 * What a request says about its sender. Forwarded headers are believed only with TRUST_PROXY:
 * without a proxy in front, anyone can write them.
 */
export function isHttps(req: Request, trustProxy: boolean): boolean {
  if (req.url.startsWith("https:")) return true;
  return trustProxy && req.headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase() === "https";
}

export function clientAddress(c: Context, trustProxy: boolean): string {
  const forwarded = trustProxy ? c.req.header("x-forwarded-for")?.split(",")[0]?.trim() : undefined;
  if (forwarded) return forwarded;
  try {
    return getConnInfo(c).remote.address || "unknown";
  } catch {
    return "unknown";
  }
}

/** 127.0.0.0/8 and ::1, also in their IPv4-mapped IPv6 form. */
export function isLoopback(address: string): boolean {
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  return v4 === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** A Host header is `name[:port]` or `[v6][:port]` and nothing else; Bun builds `req.url` from it. */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?$/;

export function validHost(host: string | null): boolean {
  if (!host) return false;
  const m = HOST.exec(host);
  if (!m) return false;
  return m[1] === undefined || Number(m[1]) <= 65535;
}
