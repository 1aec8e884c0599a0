import { requireTestEnvironment } from "@stages/testenv";
import { describe, expect, it } from "vitest";
import { actionsOf, docker, makeRepository, type RunResult, stages, uniqueName } from "./helpers.js";

// `stages plan` is what the procedures do: for build, build --repo, push, pull, pull --all and
// publish, the actions a procedure takes equal the ones `stages plan` printed just before, on a
// real engine and registry. The image uses `fromLatest`, and its base tag moves to another digest
// between two rounds: every procedure resolves the digest, and the `from` signature follows it.
const environment = requireTestEnvironment();
const onA = { DOCKER_HOST: environment.dockerHostA };
const onB = { DOCKER_HOST: environment.dockerHostB };
const hostA = environment.dockerHostA;

type Column = "build" | "pull" | "push";
interface PlanDocument {
  images: {
    name: string | null;
    artifact: boolean;
    publish: string | null;
    stages: ({ name: string; signature: string; local: boolean; remote: boolean | null } & Record<Column, string>)[];
  }[];
}

/** One column of a plan document: image → stage → action. */
function column(plan: RunResult, which: Column): Record<string, Record<string, string>> {
  const document = plan.json as PlanDocument;
  return Object.fromEntries(
    document.images.map((image) => [
      image.name ?? "~",
      Object.fromEntries(image.stages.map((stage) => [stage.name, stage[which]])),
    ]),
  );
}

/** The actions of a procedure result, shaped like a plan column. */
function taken(result: RunResult, images: readonly string[]): Record<string, Record<string, string>> {
  return Object.fromEntries(images.map((name) => [name, actionsOf(result, name === "~" ? null : name)]));
}

function ok(result: RunResult): RunResult {
  expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  return result;
}

describe("stages plan is what the procedures do", () => {
  it("for build, push, pull and publish of a fromLatest image whose base moves", { timeout: 300_000 }, async () => {
    const name = uniqueName("planned");
    const base = `${environment.registry}/${name}/base:current`;
    const repository = `${environment.registry}/${name}/stages`;
    docker(hostA, "pull", environment.baseImage);
    docker(hostA, "tag", environment.baseImage, base);
    docker(hostA, "push", base);
    const directory = makeRepository({
      "stages.yaml": `project: ${name}
configVersion: 1
---
artifact: tool
from: ${environment.baseImage}
shell:
  install: [echo tool > /tool]
---
image: app
from: ${base}
fromLatest: true
shell:
  install: [echo app > /app.txt]
import:
- artifact: tool
  add: /tool
  to: /usr/local/bin/tool
  after: install
docker:
  CMD: ["cat", "/app.txt"]
`,
    });
    const run = (args: string[], env: Record<string, string>) => stages(args, { cwd: directory, env });
    const images = ["tool", "app"];

    const round = async (tag: string): Promise<string> => {
      // build on A, as planned.
      const buildPlan = ok(await run(["plan", "--json"], onA));
      const built = ok(await run(["build", "--json", "--network", "none"], onA));
      expect(taken(built, images)).toEqual(column(buildPlan, "build"));
      // push from A, as planned.
      const pushPlan = ok(await run(["plan", "--json", "--repo", repository], onA));
      const pushed = ok(await run(["push", "--json", repository], onA));
      expect(taken(pushed, images)).toEqual(column(pushPlan, "push"));
      // pull on B, as planned; then pull --all as `plan --all` said.
      const pullPlan = ok(await run(["plan", "--json", "--repo", repository], onB));
      const pulled = ok(await run(["pull", "--json", repository], onB));
      expect(taken(pulled, images)).toEqual(column(pullPlan, "pull"));
      const pullAllPlan = ok(await run(["plan", "--json", "--all", "--repo", repository], onB));
      const pulledAll = ok(await run(["pull", "--json", "--all", repository], onB));
      expect(taken(pulledAll, images)).toEqual(column(pullAllPlan, "pull"));
      // build --repo on A after its local app stages are gone: pulled from REPO, as planned.
      const appStages = (pushed.json.images as { name: string; stages: { signature: string }[] }[])
        .find((image) => image.name === "app")!
        .stages.slice(1);
      for (const stage of appStages) docker(hostA, "rmi", `stages-storage/${name}:${stage.signature}`);
      const repoPlan = ok(await run(["plan", "--json", "--repo", repository], onA));
      const rebuilt = ok(await run(["build", "--json", "--repo", repository, "--network", "none"], onA));
      expect(taken(rebuilt, images)).toEqual(column(repoPlan, "build"));
      expect(Object.values(column(repoPlan, "build").app ?? {})).toContain("pulled");
      // publish from B, as planned: the way each image gets its names.
      const publishPlan = ok(await run(["plan", "--json", "--repo", repository], onB));
      const published = ok(await run(["publish", "--json", repository, "--tag-custom", tag], onB));
      const methods = (published.json.images as { name: string; tags: { method: string }[] }[]).map((image) => [
        image.name,
        image.tags.map((entry) => entry.method),
      ]);
      const plannedMethods = (publishPlan.json as PlanDocument).images
        .filter((image) => image.publish !== null)
        .map((image) => [image.name, [image.publish]]);
      expect(methods).toEqual(plannedMethods);
      expect(plannedMethods).toEqual([["app", ["registry-copy"]]]);
      return (built.json.images as { name: string; stages: { signature: string }[] }[]).find(
        (image) => image.name === "app",
      )!.stages[0]!.signature;
    };

    const first = await round("v1");
    // The base tag moves: the same reference, another digest (one more layer, one more label).
    const container = docker(hostA, "create", environment.baseImage, "true");
    docker(hostA, "commit", "--change", `LABEL stages.test.revision=${name}`, container, base);
    docker(hostA, "rm", container);
    docker(hostA, "push", base);
    const moved = ok(await run(["plan", "--json"], onA));
    const from = (moved.json as PlanDocument).images.find((image) => image.name === "app")!.stages[0]!;
    expect(from.signature).not.toBe(first);
    expect(from.local).toBe(false);
    const second = await round("v2");
    expect(second).toBe(from.signature);
  });
});
