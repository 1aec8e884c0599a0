export type { FaultMix } from "../../../../packages/registry/test/fault-mixes.js";
export { faultMixes, seededRandom } from "../../../../packages/registry/test/fault-mixes.js";

/** Who sent a request: the engine (docker's User-Agent) or the CLI's own registry client. */
export function senderOf(head: string): "engine" | "cli" {
  return /^user-agent:\s*docker\//im.test(head) ? "engine" : "cli";
}
