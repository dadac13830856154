/** A chat model that streams its answer. */
export interface AiTurn {
  role: "user" | "model";
  text: string;
}

export interface AiRequest {
  system: string;
  /** The room's recent messages, oldest first. */
  context: AiTurn[];
  prompt: string;
}

/** Rate limited or temporarily failing: worth retrying after a backoff. */
export class RetryableAiError extends Error {
  override name = "RetryableAiError";
}

export interface AiModel {
  /**
   * Yields text deltas in order. Throws RetryableAiError for 429/5xx/network failures before any
   * text arrived; an error after some text means the stream was cut.
   */
  stream(request: AiRequest, signal: AbortSignal): AsyncIterable<string>;
}
