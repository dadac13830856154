import type { Lifecycle } from "./lifecycle.ts";

/** One `/ai` request. Its id is the prompt message's id, so a request is identified by what asked it. */
export interface AiJob {
  id: string;
  room: string;
  /** The prompt message's seq: the context is what the room said before it. */
  seq: number;
  /** The question, without the `/ai` prefix. */
  prompt: string;
  requestedAt: number;
}

/** Serves one job; resolves when its answer has ended (stored, or a failure notice stored). */
export type AiJobHandler = (job: AiJob) => Promise<void>;

/**
 * Carries `/ai` requests to a server that answers them: in-process when embedded, through Kafka
 * when scaled out so any instance's AI worker can serve.
 * - `enqueue` never rejects: a queue that cannot accept a job serves it locally instead.
 * - Each job reaches the handler of at most one instance, once (idempotent by job id), as long
 *   as that instance lives; a job of an instance killed mid-answer is not retried.
 * - The queue bounds how many jobs one instance serves at once; the rest wait their turn.
 */
export interface AiRequestQueue extends Lifecycle {
  enqueue(job: AiJob): Promise<void>;
  /** Registers the handler; jobs wait until it is set. */
  serve(handler: AiJobHandler): void;
}
