import type { BusTopic, ClusterBus, ClusterEnvelope } from "../../ports/index.ts";

/** Single-instance mode: there are no other instances, so nothing is carried and nothing arrives. */
export class LocalOnlyBus implements ClusterBus {
  publish(_topic: BusTopic, _envelope: ClusterEnvelope): void {}
  async subscribe(_topic: BusTopic): Promise<void> {}
  unsubscribe(_topic: BusTopic): void {}
  onEnvelope(_handler: (topic: BusTopic, envelope: ClusterEnvelope) => void): void {}
}
