/**
 * Structured JSON-lines logger: one line per event, always JSON (a stack is a field, not lines).
 * Never pass tokens, passwords or message bodies as fields; what slips through anyway (a ticket
 * in a URL, an Authorization header) is redacted here.
 */
type Level = "debug" | "info" | "warn" | "error";
const rank: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const REDACTED = "[redacted]";
/** Fields whose value is a secret whatever it looks like. */
const SECRET_KEY = /^(authorization|cookie|set-cookie|password|token|ticket|secret|access_?token|refresh_?token|api_?key)$/i;
/** Secrets inside text: URL query parameters, bearer credentials, cookie pairs. */
const SECRET_TEXT: [RegExp, string][] = [
  [/([?&](?:ticket|token|access_token|refresh_token|api_key|key)=)[^&\s#"']*/gi, `$1${REDACTED}`],
  [/(bearer\s+)[A-Za-z0-9._~+/=-]+/gi, `$1${REDACTED}`],
  [/(refresh_token=)[^;\s"']*/gi, `$1${REDACTED}`],
];

export function redact(text: string): string {
  let out = text;
  for (const [re, to] of SECRET_TEXT) out = out.replace(re, to);
  return out;
}

function clean(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) out[k] = SECRET_KEY.test(k) && v != null ? REDACTED : typeof v === "string" ? redact(v) : v;
  return out;
}

export function createLogger(level: Level = "info", base: LogFields = {}): Logger {
  const min = rank[level];
  const write = (lvl: Level, msg: string, fields?: LogFields) => {
    if (rank[lvl] < min) return;
    const line = JSON.stringify({ ts: new Date().toISOString(), level: lvl, msg: redact(msg), ...clean({ ...base, ...fields }) });
    (lvl === "error" || lvl === "warn" ? process.stderr : process.stdout).write(line + "\n");
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
    child: (f) => createLogger(level, { ...base, ...f }),
  };
}

/** An error as fields; the stack travels as one string field so the line stays JSON. */
export function errorFields(err: unknown): LogFields {
  if (err instanceof Error) return { err: err.message, errName: err.name, stack: err.stack };
  return { err: String(err) };
}
