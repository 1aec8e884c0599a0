import { describe, expect, it } from "vitest";
import { expectCompleteRepository, useFaultSuite } from "./fault-runs.js";

// The paths where only the CLI's own registry client talks to the registry, behind the fault
// proxy (see fault-runs.ts): lookups and the registry-side copy of publish.
const suite = useFaultSuite("faults", 5830);

describe("commands whose registry requests are the CLI's own, through a registry that fails a share of them", () => {
  it("publish of stages already in REPO copies them registry-side and completes", async () => {
    await suite.eachRun("publish (copy)", 4, async (mix, seed, index) => {
      const tag = `copy-${index}-${seed}`;
      const outcome = await suite.underFaults(mix, seed, [
        "publish",
        "app",
        `${suite.proxied}/${suite.filled}`,
        "--tag-custom",
        tag,
        "--json",
      ]);
      const tags = await expectCompleteRepository(`${suite.filled}/app`);
      await expectCompleteRepository(suite.filled, suite.stageTags());
      return {
        ...outcome,
        check: () => {
          expect(tags).toContain(tag);
          expect(outcome.result.json.images[0].tags[0].method).toBe("registry-copy");
        },
      };
    });
  });

  it("push of stages REPO already has completes with lookups only", async () => {
    await suite.eachRun("push (present)", 5, async (mix, seed) => {
      const outcome = await suite.underFaults(mix, seed, ["push", "app", `${suite.proxied}/${suite.filled}`, "--json"]);
      await expectCompleteRepository(suite.filled, suite.stageTags());
      return {
        ...outcome,
        check: () =>
          expect(outcome.result.json.images[0].stages.map((stage: { action: string }) => stage.action)).toEqual(
            suite.signatures.map(() => "skipped"),
          ),
      };
    });
  });
});
