import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireTestEnvironment, type ScratchRegistry, startScratchRegistry } from "@stages/testenv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allStages, docker, git, makeRepository, registryTags, stages, uniqueName, writeFile } from "./helpers.js";

// Cleanup over a real git history on a real registry (its own, so that the registry's garbage
// collection can run): commits on main, a tag, a feature branch deleted afterwards, images published
// into the very repository the stages live in.
const environment = requireTestEnvironment();
const onA = { DOCKER_HOST: environment.dockerHostA };
const onB = { DOCKER_HOST: environment.dockerHostB };
const as = ["-c", "user.email=e2e@stages.invalid", "-c", "user.name=e2e"];

const config = (project: string, version: string) => `project: ${project}
configVersion: 1
cleanup:
  keepPolicies:
  - references:
      tag: /.*/
    imagesPerReference:
      last: 1
  - references:
      branch: /.*/
    imagesPerReference:
      last: 1
  keepImagesBuiltWithinLastNHours: 0
---
image: ~
from: ${environment.baseImage}
shell:
  install: [echo ${version} > /version]
docker:
  CMD: ["cat", "/version"]
`;

let registry: ScratchRegistry;
let registryDirectory: string;

beforeAll(async () => {
  registryDirectory = mkdtempSync(join(tmpdir(), "stages-cleanup-registry-"));
  registry = await startScratchRegistry({ port: 5866, directory: registryDirectory });
});

afterAll(async () => {
  await registry?.stop();
  rmSync(registryDirectory, { recursive: true, force: true });
});

function commit(directory: string, project: string, version: string): string {
  writeFile(directory, "stages.yaml", config(project, version));
  git(directory, ...as, "commit", "-qam", version);
  return git(directory, "rev-parse", "HEAD");
}

/** Builds on engine A and pushes the stages with the commit record; returns the stages' signatures. */
async function buildAndPush(directory: string, repository: string): Promise<string[]> {
  const built = await stages(["build", "--json", "--repo", repository, "--push"], { cwd: directory, env: onA });
  expect(built.code, built.stderr).toBe(0);
  expect(built.json.recorded?.commit).toBe(git(directory, "rev-parse", "HEAD"));
  return allStages(built).map((stage) => stage.signature);
}

describe("stages cleanup", () => {
  it(
    "keeps what kept commits need and published images, deletes the rest, and a fresh host builds nothing",
    { timeout: 600_000 },
    async () => {
      const project = uniqueName("clean");
      const repository = `${registry.address}/${uniqueName("taxi")}`;
      const directory = makeRepository({ "stages.yaml": config(project, "v0") });
      const c1 = commit(directory, project, "v1");
      const first = await buildAndPush(directory, repository);
      const old = await stages(["publish", "--json", repository, "--tag-custom", "old"], { cwd: directory, env: onA });
      expect(old.code, old.stderr).toBe(0);

      const c2 = commit(directory, project, "v2");
      const second = await buildAndPush(directory, repository);
      git(directory, "tag", "v2.0");

      git(directory, "checkout", "-qb", "feature");
      commit(directory, project, "feature");
      const feature = await buildAndPush(directory, repository);
      git(directory, "checkout", "-q", "main");
      git(directory, "branch", "-D", "feature");

      const c3 = commit(directory, project, "v3");
      const third = await buildAndPush(directory, repository);
      const latest = await stages(["publish", "--json", repository, "--tag-custom", "latest"], {
        cwd: directory,
        env: onA,
      });
      expect(latest.code, latest.stderr).toBe(0);

      const from = first[0] as string;
      expect(second[0]).toBe(from);
      const only = (signatures: string[]) => signatures.filter((signature) => signature !== from);
      const needed = new Set([from, ...second, ...third]);
      const unneeded = [...only(first), ...only(feature)];
      const stageTag = (signature: string) => `image-stage-${signature}`;

      // A dry run reports what cleanup would do and changes nothing.
      const before = await registryTags(repository);
      const dry = await stages(["cleanup", "--json", "--dry-run", repository], { cwd: directory, env: onA });
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.json.dryRun).toBe(true);
      expect(dry.json.deleted.map((stage: { signature: string }) => stage.signature).sort()).toEqual(
        [...unneeded].sort(),
      );
      expect(await registryTags(repository)).toEqual(before);

      const cleaned = await stages(["cleanup", "--json", repository], { cwd: directory, env: onA });
      expect(cleaned.code, cleaned.stderr).toBe(0);
      expect(
        cleaned.json.deleted
          .filter((stage: { outcome: string }) => stage.outcome === "deleted")
          .map((stage: { signature: string }) => stage.signature)
          .sort(),
      ).toEqual([...unneeded].sort());
      // Every kept stage says why: the tag, the branch, or a base.
      for (const stage of cleaned.json.kept) expect(stage.reasons.length).toBeGreaterThan(0);
      const after = await registryTags(repository);
      for (const signature of needed) expect(after).toContain(stageTag(signature));
      for (const signature of unneeded) expect(after).not.toContain(stageTag(signature));
      // Both published images stay, the one of the deleted commit c1 too.
      expect(after).toEqual(expect.arrayContaining(["latest", "old"]));
      // Records were merged into one object.
      expect(after.filter((tag) => tag.startsWith("stages-records-"))).toHaveLength(1);

      // After the registry's own garbage collection, the published images still pull.
      await registry.garbageCollect();
      for (const tag of ["old", "latest"]) {
        docker(environment.dockerHostB, "pull", "-q", `${repository}:${tag}`);
        const output = docker(environment.dockerHostB, "run", "--rm", "--network", "none", `${repository}:${tag}`);
        expect(output).toBe(tag === "old" ? "v1" : "v3");
        docker(environment.dockerHostB, "rmi", `${repository}:${tag}`);
      }

      // A fresh host builds the kept commits from REPO without building anything.
      for (const kept of [c2, c3]) {
        const clone = mkdtempSync(join(tmpdir(), "stages-e2e-clone-"));
        try {
          git(clone, "clone", "-q", directory, ".");
          git(clone, "checkout", "-q", kept);
          const rebuilt = await stages(["build", "--json", "--repo", repository], { cwd: clone, env: onB });
          expect(rebuilt.code, rebuilt.stderr).toBe(0);
          expect(allStages(rebuilt).filter((stage) => stage.action === "built")).toEqual([]);
        } finally {
          rmSync(clone, { recursive: true, force: true });
        }
      }
      expect(c1).not.toBe(c3);
    },
  );

  it("a cleanup racing a build that pushes deletes none of its stages", { timeout: 600_000 }, async () => {
    const project = uniqueName("race");
    const repository = `${registry.address}/${uniqueName("race")}`;
    const directory = makeRepository({ "stages.yaml": config(project, "v0") });
    commit(directory, project, "v1");
    const first = await buildAndPush(directory, repository);
    commit(directory, project, "v2");
    await buildAndPush(directory, repository);
    // Only v2 is kept (no time rule): cleanup deletes v1's own stages while host B builds and pushes v3.
    commit(directory, project, "v3");
    const clone = mkdtempSync(join(tmpdir(), "stages-e2e-clone-"));
    try {
      git(clone, "clone", "-q", directory, ".");
      const [building, cleaning] = await Promise.all([
        stages(["build", "--json", "--repo", repository, "--push"], { cwd: clone, env: onB }),
        stages(["cleanup", "--json", repository], { cwd: directory, env: onA }),
      ]);
      expect(building.code, building.stderr).toBe(0);
      expect(cleaning.code, cleaning.stderr).toBe(0);
      const pushed = allStages(building)
        .filter((stage) => (stage as { pushed?: boolean }).pushed)
        .map((stage) => stage.signature);
      expect(pushed).toHaveLength(2);
      const tags = await registryTags(repository);
      for (const signature of pushed) expect(tags).toContain(`image-stage-${signature}`);
      for (const signature of first.slice(1)) expect(tags).not.toContain(`image-stage-${signature}`);
      // And the record of the racing build keeps them from now on.
      const again = await stages(["cleanup", "--json", "--dry-run", repository], { cwd: directory, env: onA });
      expect(again.code, again.stderr).toBe(0);
      const kept = again.json.kept.map((stage: { signature: string }) => stage.signature);
      for (const signature of pushed) expect(kept).toContain(signature);
    } finally {
      rmSync(clone, { recursive: true, force: true });
    }
  });

  it("purge refuses while published images exist, and --force keeps them", { timeout: 300_000 }, async () => {
    const project = uniqueName("purge");
    const repository = `${registry.address}/${uniqueName("purge")}`;
    const directory = makeRepository({ "stages.yaml": config(project, "v1") });
    const pushed = await buildAndPush(directory, repository);
    const published = await stages(["publish", "--json", repository, "--tag-custom", "v1"], {
      cwd: directory,
      env: onA,
    });
    expect(published.code, published.stderr).toBe(0);
    const refused = await stages(["purge", repository], { cwd: directory, env: onA });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${repository}:v1`);
    expect(refused.stderr).toContain("--force");
    const forced = await stages(["purge", "--json", "--force", repository], { cwd: directory, env: onA });
    expect(forced.code, forced.stderr).toBe(0);
    const tags = await registryTags(repository);
    expect(tags).toEqual(["v1"]);
    expect(forced.json.deleted).toHaveLength(pushed.length);
    docker(environment.dockerHostB, "pull", "-q", `${repository}:v1`);
    docker(environment.dockerHostB, "rmi", `${repository}:v1`);
  });
});
