import type { ClusterBus, ClusterEnvelope } from "../../ports/index.ts";

/** Single-instance mode: there are no other instances, so nothing is carried anywhere. */
export class LocalOnlyBus implements ClusterBus {
  publish(_envelope: ClusterEnvelope): void {}
  onEnvelope(_handler: (envelope: ClusterEnvelope) => void): void {}
  async health() {
    return { name: "bus", ok: true, detail: "single instance" };
  }
}
