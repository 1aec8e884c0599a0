import { describe, expect, it } from "vitest";
import { docker } from "../helpers.js";
import { environment } from "./fixture.js";
import { delays, registry, useInterruptSuite } from "./interrupt-points.js";

// SIGINT at points of build and pull (see interrupt-points.ts); push and publish are in
// interrupts-engine.integration.test.ts.
const suite = useInterruptSuite("interrupts");

describe("SIGINT at any moment", () => {
  it("build: no container, no half-built stage; a re-run completes and the image is right", async () => {
    const build = ["build", "app", "--network", "none"];
    suite.removeLocalStages();
    const duration = await suite.measure(build);
    for (const delay of delays(duration)) {
      suite.removeLocalStages();
      await suite.interruptAt("build", build, delay);
      suite.expectNoLeftovers();
      const rerun = await suite.run(...build, "--json");
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(suite.localStageTags()).toEqual([...suite.signatures].sort());
      suite.expectNoLeftovers();
    }
    const image = `stages-storage/${suite.project}:${suite.signatures.at(-1)}`;
    expect(docker(environment.dockerHostA, "run", "--rm", "--network", "none", image)).toBe("set-up");
  });

  it("pull: no alias in the engine, no stage without its labels; a re-run pulls every stage", async () => {
    const filled = `${registry}/reliability/${suite.project}-filled`;
    const pushed = await suite.run("push", "app", filled);
    expect(pushed.code, pushed.stderr).toBe(0);
    const pull = ["pull", "--all", "app", filled];
    suite.removeLocalStages();
    const duration = await suite.measure(pull);
    for (const delay of delays(duration)) {
      suite.removeLocalStages();
      await suite.interruptAt("pull", pull, delay);
      suite.expectNoLeftovers(filled);
      const rerun = await suite.run(...pull, "--json");
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(suite.localStageTags()).toEqual([...suite.signatures].sort());
      suite.expectNoLeftovers(filled);
    }
  });
});
