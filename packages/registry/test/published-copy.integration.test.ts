import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseSignature, stageLabelsFor, stageTag } from "@stages/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ScratchRegistry, startScratchRegistry } from "../../../tooling/testenv/src/scratch-registry.js";
import {
  createLayer,
  createRegistryClient,
  createRegistryCopier,
  createRegistryHousekeeping,
  pushImage,
  type RegistryClient,
} from "../src/index.js";
import { type DockerDaemon, startDockerDaemon } from "./docker-daemon.js";

// Port 5862 is this file's (the registry package's scratch registries use 5860-5862).
let registry: ScratchRegistry;
let daemon: DockerDaemon;
let directory: string;
let client: RegistryClient;
const pulled: string[] = [];

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), "stages-published-copy-"));
  [registry, daemon] = await Promise.all([startScratchRegistry({ port: 5862, directory }), startDockerDaemon()]);
  client = createRegistryClient({ env: {}, useDockerConfig: false });
});

afterAll(async () => {
  // A shared engine (STAGES_TEST_DOCKER_HOST_A) keeps running: leave no image of ours in it.
  if (pulled.length > 0) await daemon?.docker(["image", "rm", "-f", ...pulled]).catch(() => {});
  await daemon?.stop();
  await registry?.stop();
  if (directory) rmSync(directory, { recursive: true, force: true });
});

describe("a published image never shares its stage's digest", () => {
  it("survives the deletion of its stage by digest and the registry's garbage-collect, and docker pulls it", async () => {
    const repository = `${registry.address}/published/taxi`;
    const signature = parseSignature("7".repeat(64));
    const layers = [
      createLayer([{ path: "etc/stages-release", content: "published copy test\n" }]),
      createLayer([{ path: "app/hello.txt", content: `hello ${process.pid}\n` }]),
    ];
    const labels = stageLabelsFor({
      project: "taxi",
      image: null,
      stage: "from",
      signature,
      parent: null,
      carried: null,
    });
    const stage = await pushImage(client, `${repository}:${stageTag(signature)}`, {
      layers,
      config: { Labels: labels },
    });

    // The two publish paths of a stage already in REPO: the same repository and REPO/<image>.
    const copier = createRegistryCopier({ client, allowTransfer: false });
    const sameRepository = await copier.copy({ from: `${repository}:${stageTag(signature)}`, to: `${repository}:v1` });
    const named = await copier.copy({ from: `${repository}:${stageTag(signature)}`, to: `${repository}/backend:v1` });
    expect(sameRepository.digest).not.toBe(stage.digest);
    expect((await client.headManifest(`${repository}:v1`))?.digest).toBe(sameRepository.digest);
    // Another repository keeps the very bytes: nothing there is deleted with the stage.
    expect(named.digest).toBe(stage.digest);

    const housekeeping = createRegistryHousekeeping({ client, repository, project: "taxi" });
    expect(await housekeeping.deleteStage(signature, stage.digest)).toBe("deleted");
    expect(await client.headManifest(`${repository}:${stageTag(signature)}`)).toBeNull();
    expect((await client.headManifest(`${repository}:v1`))?.digest).toBe(sameRepository.digest);

    const collection = await registry.garbageCollect();
    for (const blob of [stage.config.digest, ...layers.map((layer) => layer.digest)]) {
      expect(collection.deletedBlobs).not.toContain(blob);
    }

    for (const reference of [`${repository}:v1`, `${repository}/backend:v1`]) {
      await daemon.docker(["image", "rm", "-f", reference]).catch(() => {});
      pulled.push(reference);
      await daemon.docker(["pull", reference]);
      const inspected = JSON.parse(await daemon.docker(["image", "inspect", reference]))[0];
      expect(inspected.Config.Labels["io.stages.project"]).toBe("taxi");
      expect(inspected.RootFS.Layers).toEqual(layers.map((layer) => layer.diffId));
    }
  });
});
