import { describe, expect, it } from "vitest";
import {
  expectCompleteLocalStages,
  expectCompleteRepository,
  expectNoAliases,
  localStageTags,
  useFaultSuite,
} from "./fault-runs.js";

// The paths where the engine moves the layers (push, pull, publish of a stage REPO lacks, build
// --repo), behind the fault proxy (see fault-runs.ts): the engine's own requests get faults too.
const suite = useFaultSuite("faultsengine", 5831);

describe("commands that transfer through the engine, through a registry that fails a share of requests", () => {
  it("push completes and leaves every stage tag complete", async () => {
    await suite.eachRun("push", 0, async (mix, seed, index) => {
      await suite.ensureLocalStages();
      const path = `reliability/${suite.project}-push-${index}`;
      const outcome = await suite.underFaults(mix, seed, ["push", "app", `${suite.proxied}/${path}`, "--json"]);
      const tags = await expectCompleteRepository(path);
      expectNoAliases(`${suite.proxied}/${path}`);
      return { ...outcome, check: () => expect(tags).toEqual(expect.arrayContaining(suite.stageTags())) };
    });
  });

  it("publish of stages REPO lacks (pushed through the engine) completes", async () => {
    await suite.eachRun("publish (push)", 1, async (mix, seed, index) => {
      await suite.ensureLocalStages();
      const path = `reliability/${suite.project}-publish-${index}`;
      const outcome = await suite.underFaults(mix, seed, [
        "publish",
        "app",
        `${suite.proxied}/${path}`,
        "--tag-custom",
        "v1",
        "--json",
      ]);
      const tags = await expectCompleteRepository(`${path}/app`);
      await expectCompleteRepository(path);
      expectNoAliases(`${suite.proxied}/${path}/app`, `${suite.proxied}/${path}`);
      return { ...outcome, check: () => expect(tags).toContain("v1") };
    });
  });

  it("build --repo completes, pulling the last stage", async () => {
    await suite.eachRun("build --repo", 2, async (mix, seed) => {
      suite.removeLocalStages();
      const outcome = await suite.underFaults(mix, seed, [
        "build",
        "app",
        "--repo",
        `${suite.proxied}/${suite.filled}`,
        "--network",
        "none",
        "--json",
      ]);
      expectCompleteLocalStages(suite.project);
      expectNoAliases(`${suite.proxied}/${suite.filled}`);
      await expectCompleteRepository(suite.filled, suite.stageTags());
      return { ...outcome, check: () => expect(outcome.result.json.images[0].stages.at(-1).action).toBe("pulled") };
    });
  });

  it("pull --all completes and every stage is local with its labels", async () => {
    await suite.eachRun("pull --all", 3, async (mix, seed) => {
      suite.removeLocalStages();
      const outcome = await suite.underFaults(mix, seed, [
        "pull",
        "--all",
        "app",
        `${suite.proxied}/${suite.filled}`,
        "--json",
      ]);
      expectCompleteLocalStages(suite.project);
      expectNoAliases(`${suite.proxied}/${suite.filled}`);
      const local = localStageTags(suite.project);
      return { ...outcome, check: () => expect(local).toEqual([...suite.signatures].sort()) };
    });
  });
});
