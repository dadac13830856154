import { afterAll, beforeAll } from "bun:test";

/** What every contract receives: a fresh handle on the adapter(s) and a way to release it. */
export type Fixture<T> = T & { cleanup(): Promise<void> };
export type MakeFixture<T> = () => Promise<Fixture<T>>;

/** Builds the fixture once per suite (tests use unique ids, so they never see each other's data). */
export function useFixture<T>(make: MakeFixture<T>): () => Fixture<T> {
  let fixture: Fixture<T> | undefined;
  beforeAll(async () => {
    fixture = await make();
  });
  afterAll(async () => {
    await fixture?.cleanup();
  });
  return () => {
    if (!fixture) throw new Error("fixture not ready");
    return fixture;
  };
}

let counter = 0;
/** Unique per run and per call; lowercase so it can prefix a username. */
export const uid = (prefix = "t") =>
  `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
