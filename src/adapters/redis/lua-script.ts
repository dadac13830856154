import type { RedisClient } from "./connection.ts";

/** A Lua script run by EVALSHA, loaded again after a Redis restart forgot it (NOSCRIPT). */
export class LuaScript {
  private sha: string | null = null;
  constructor(private source: string) {}

  async run(client: RedisClient, keys: string[], args: (string | number)[]): Promise<unknown> {
    const options = { keys, arguments: args.map(String) };
    if (this.sha) {
      try {
        return await client.evalSha(this.sha, options);
      } catch (err) {
        if (!(err instanceof Error && err.message.startsWith("NOSCRIPT"))) throw err;
      }
    }
    this.sha = await client.scriptLoad(this.source);
    return client.evalSha(this.sha, options);
  }
}
