import type { ActivitySink } from "../ports/index.ts";
import type { ActivityDetails, ActivityType } from "../protocol/index.ts";
import { newId } from "./ids.ts";

/**
 * Stamps activity events (id, time, instance) and hands them to the one injected sink. Never
 * throws and never awaits: recording is a side effect that must not fail or slow the action.
 */
export class ActivityRecorder {
  constructor(private sink: ActivitySink, private instance: string) {}

  record(type: ActivityType, user: string | null, room: string | null = null, details: ActivityDetails = {}): void {
    try {
      this.sink.emit({ id: newId(), type, time: Date.now(), user, room, instance: this.instance, details });
    } catch {
      // A sink must not throw; if one does, the user's action still succeeds.
    }
  }
}

/** A sink that drops every event (ACTIVITY_LOG=off). */
export const NO_ACTIVITY_SINK: ActivitySink = { emit() {} };
/** For services constructed without a sink (tests, tools). */
export const NO_ACTIVITY = new ActivityRecorder(NO_ACTIVITY_SINK, "none");
