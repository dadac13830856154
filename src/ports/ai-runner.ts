import type { AiRequest } from "./ai-model.ts";
import type { Lifecycle } from "./lifecycle.ts";

export type AiOutcome = "complete" | "incomplete" | "failed";

/** Runs model requests off the socket thread; deltas arrive in order, then exactly one end. */
export interface AiRunner extends Lifecycle {
  run(request: AiRequest, onDelta: (text: string) => void): Promise<{ outcome: AiOutcome; error?: string }>;
}
