// The fault mixes of issue 10, shared by the docker adapter's transfer tests and the CLI's reliability suite.
import type { Fault } from "./fault-proxy.js";

/** A small seeded generator (mulberry32): the same seed picks the same requests on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultMix {
  name: string;
  /** Share of requests that get a fault. */
  fraction: number;
  /** The fault for one chosen request. */
  pick(request: { method: string }, random: () => number): Fault;
}

const reset: Fault = { kind: "reset" };
const unavailable: Fault = { kind: "status", status: 503 };
const throttled: Fault = { kind: "status", status: 429, headers: { "Retry-After": "1" } };
/** A request body cut off (uploads), or an answer cut off in its headers or body (everything else). */
const truncated = (request: { method: string }, random: () => number): Fault =>
  request.method === "PUT" || request.method === "PATCH" || request.method === "POST"
    ? { kind: "reset-after", bytes: 200 + Math.floor(random() * 2000) }
    : { kind: "cut-answer", bytes: 60 + Math.floor(random() * 2000) };

/** The mixes of issue 10: resets, 5xx, 429 with Retry-After, truncated bodies, and all of them at once. */
export const faultMixes: FaultMix[] = [
  { name: "10% resets", fraction: 0.1, pick: () => reset },
  { name: "15% 503", fraction: 0.15, pick: () => unavailable },
  { name: "15% 429+Retry-After", fraction: 0.15, pick: () => throttled },
  { name: "12% truncated bodies", fraction: 0.12, pick: truncated },
  {
    name: "15% of everything",
    fraction: 0.15,
    pick: (request, random) => {
      const choice = random();
      if (choice < 0.25) return reset;
      if (choice < 0.5) return unavailable;
      if (choice < 0.75) return throttled;
      return truncated(request, random);
    },
  },
];
