import { Client, HttpConnection } from "@elastic/elasticsearch";

/**
 * One client per process (or worker). HttpConnection (node:http) rather than the default undici
 * connection, which fails under Bun ("response.headers" of undefined). Requests time out so a
 * stalled cluster never hangs a caller.
 */
export const createElasticClient = (url: string) => new Client({ node: url, Connection: HttpConnection, requestTimeout: 10_000, maxRetries: 1 });
