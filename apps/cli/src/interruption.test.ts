import { describe, expect, it } from "vitest";
import { createInterruption } from "./interruption.js";

function fakeHost() {
  const host = {
    output: "",
    exits: [] as number[],
    timers: [] as Array<{ milliseconds: number; callback: () => void }>,
    write(text: string) {
      host.output += text;
    },
    exit(code: number) {
      host.exits.push(code);
    },
    startTimer(milliseconds: number, callback: () => void) {
      host.timers.push({ milliseconds, callback });
    },
  };
  return host;
}

describe("createInterruption", () => {
  it("cancels the work on the first signal without exiting", () => {
    const host = fakeHost();
    const interruption = createInterruption(host, 5_000);
    interruption.onSignal("SIGINT");
    expect(interruption.signal.aborted).toBe(true);
    expect(host.exits).toEqual([]);
    expect(host.output).toContain("cancelling");
  });

  it("lets the cleanup go on after a second signal, bounded, then exits 130", () => {
    const host = fakeHost();
    const interruption = createInterruption(host, 5_000);
    interruption.onSignal("SIGTERM");
    interruption.onSignal("SIGTERM");
    expect(host.exits).toEqual([]);
    expect(host.output).toContain("still removing temporary containers and aliases, for at most 5 s");
    expect(host.timers.map((timer) => timer.milliseconds)).toEqual([5_000]);
    host.timers[0]?.callback();
    expect(host.exits).toEqual([130]);
  });

  it("does not cut a cleanup that finished within the grace period", () => {
    const host = fakeHost();
    const interruption = createInterruption(host, 5_000);
    interruption.onSignal("SIGINT");
    interruption.onSignal("SIGINT");
    expect(interruption.finish(130)).toBe(130);
    host.timers[0]?.callback();
    expect(host.exits).toEqual([]);
  });

  it("exits at once on a third signal", () => {
    const host = fakeHost();
    const interruption = createInterruption(host, 5_000);
    for (let index = 0; index < 3; index++) interruption.onSignal("SIGINT");
    expect(host.exits).toEqual([130]);
  });

  it("keeps the work's exit code when a signal comes after the work finished", () => {
    const host = fakeHost();
    const interruption = createInterruption(host, 5_000);
    expect(interruption.finish(0)).toBe(0);
    interruption.onSignal("SIGINT");
    interruption.onSignal("SIGINT");
    expect(host.exits).toEqual([0, 0]);
    expect(interruption.signal.aborted).toBe(false);
  });
});
