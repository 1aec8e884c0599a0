import { describe, expect, it } from "vitest";
import type { GitSource } from "./adapters/git-source.js";
import type { StageDescriptor, StagesStorage } from "./adapters/stages-storage.js";
import { loadConfigOrThrow } from "./config/index.js";
import { createFactsProvider, resolveProject } from "./resolve.js";
import type { ContentId, Signature } from "./signature-type.js";

/** A storage that holds nothing: every stage is resolved as to be built. */
const emptyStorage: StagesStorage = {
  specificationVersion: "v1",
  kind: "local",
  description: "empty",
  get: async () => null,
  has: async () => false,
  list: async () => [],
  delete: async () => {},
};

/** One work tree whose every mapping has the same content and checksums. */
const git: GitSource = {
  specificationVersion: "v1",
  content: async (mapping) => ({ mappingId: mapping.id, contentId: "d".repeat(64) as ContentId, files: [] }),
  dependenciesChecksum: async () => "e".repeat(64),
  diff: async () => null,
  readFile: async () => new Uint8Array(),
};

// Every kind of stage, so that every one is shown to depend on the project.
const body = `---
artifact: tools
from: alpine:3.20
shell:
  install: [make tool]
---
image: backend
from: alpine:3.20
shell:
  beforeInstall: [apk add nodejs]
  install: [npm ci]
  beforeSetup: [npm run prepare]
  setup: [npm run build]
git:
- add: /
  to: /app
  stageDependencies:
    install: [package.json]
import:
- artifact: tools
  add: /usr/local/bin/tool
  before: install
- artifact: tools
  add: /usr/local/bin/tool
  to: /opt/tool
  after: install
- artifact: tools
  add: /usr/local/bin/tool
  to: /srv/tool
  before: setup
- artifact: tools
  add: /usr/local/bin/tool
  to: /usr/bin/tool
  after: setup
docker:
  CMD: [node, main.js]
`;

async function signaturesOf(project: string) {
  const { config } = loadConfigOrThrow(`project: ${project}\nconfigVersion: 1\n${body}`);
  const { images } = await resolveProject({
    config,
    storages: { local: emptyStorage },
    facts: createFactsProvider({ git }),
  });
  return images.flatMap((image) =>
    image.stages.map((stage) => ({ image: image.name, stage: stage.name, signature: stage.signature })),
  );
}

describe("resolveProject", () => {
  it("gives two projects with the same config a different signature for every stage", async () => {
    const taxi = await signaturesOf("taxi");
    const billing = await signaturesOf("billing");
    // gitLatestPatch is empty here: the chain already carries the current content.
    expect(taxi.map(({ image, stage }) => `${image}/${stage}`)).toEqual([
      "tools/from",
      "tools/install",
      "backend/from",
      "backend/beforeInstall",
      "backend/importsBeforeInstall",
      "backend/gitArchive",
      "backend/install",
      "backend/importsAfterInstall",
      "backend/beforeSetup",
      "backend/importsBeforeSetup",
      "backend/setup",
      "backend/importsAfterSetup",
      "backend/dockerInstructions",
    ]);
    expect(billing.map(({ image, stage }) => `${image}/${stage}`)).toEqual(
      taxi.map(({ image, stage }) => `${image}/${stage}`),
    );
    const taxiSignatures = new Set(taxi.map((stage) => stage.signature));
    for (const stage of billing) expect(taxiSignatures.has(stage.signature)).toBe(false);
    expect(await signaturesOf("taxi")).toEqual(taxi);
  });
});

/** A storage holding some stages; counts its calls. */
function storageWith(stages: Map<Signature, StageDescriptor>, description: string) {
  const calls = { get: 0, has: 0 };
  const storage: StagesStorage = {
    specificationVersion: "v1",
    kind: "local",
    description,
    get: async (signature) => {
      calls.get++;
      return stages.get(signature) ?? null;
    },
    has: async (signature) => {
      calls.has++;
      return stages.has(signature);
    },
    list: async () => [...stages.values()],
    delete: async () => {},
  };
  return { storage, calls };
}

const latestConfig = loadConfigOrThrow(`project: taxi
configVersion: 1
---
image: tools
from: alpine:3.20
shell:
  install: [make tool]
---
image: app
from: alpine:3.20
fromLatest: true
git:
- add: /
  to: /app
shell:
  install: [npm ci]
`).config;

describe("createFactsProvider", () => {
  it("fails to resolve a fromLatest image without a base digest source, and names the reference", async () => {
    const attempt = resolveProject({
      config: latestConfig,
      storages: { local: emptyStorage },
      facts: createFactsProvider({ git }),
    });
    await expect(attempt).rejects.toMatchObject({
      code: "USAGE",
      message: expect.stringContaining("docker.io/library/alpine:3.20"),
    });
  });

  it("asks a base digest once per reference and run, and again after a failure", async () => {
    const asked: string[] = [];
    let fail = true;
    const facts = createFactsProvider({
      git,
      baseDigests: {
        resolveBaseDigest: async (reference) => {
          asked.push(reference);
          if (fail) throw new Error("registry down");
          return `sha256:${"a".repeat(64)}`;
        },
      },
    });
    await expect(facts.baseDigest("docker.io/library/alpine:3.20")).rejects.toThrow("registry down");
    fail = false;
    expect(await facts.baseDigest("docker.io/library/alpine:3.20")).toBe(`sha256:${"a".repeat(64)}`);
    expect(await facts.baseDigest("docker.io/library/alpine:3.20")).toBe(`sha256:${"a".repeat(64)}`);
    expect(asked).toEqual(["docker.io/library/alpine:3.20", "docker.io/library/alpine:3.20"]);
  });
});

describe("resolveProject presence", () => {
  const facts = createFactsProvider({
    git,
    baseDigests: { resolveBaseDigest: async () => `sha256:${"b".repeat(64)}` },
  });

  /** Resolves once against empty storages to learn the signatures, then stores some of them. */
  async function storagesHolding(pick: (stage: { image: string | null; name: string }) => "local" | "remote" | null) {
    const { images } = await resolveProject({ config: latestConfig, storages: { local: emptyStorage }, facts });
    const local = new Map<Signature, StageDescriptor>();
    const remote = new Map<Signature, StageDescriptor>();
    for (const image of images) {
      for (const stage of image.stages) {
        const where = pick(stage);
        if (!where) continue;
        const descriptor: StageDescriptor = {
          signature: stage.signature,
          id: `sha256:${"c".repeat(64)}`,
          project: "taxi",
          image: image.name,
          stage: stage.name,
          parent: stage.prev,
          carried: stage.carriedAfter,
          labels: {},
          createdAt: null,
          size: null,
        };
        (where === "local" ? local : remote).set(stage.signature, descriptor);
      }
    }
    return { local: storageWith(local, "local"), remote: storageWith(remote, "remote") };
  }

  it("says local and remote as booleans, null when remote was not asked, and what the stage carries", async () => {
    const held = await storagesHolding((stage) =>
      stage.image === "app" && stage.name !== "install" ? "local" : stage.image === "app" ? "remote" : null,
    );
    const storages = { local: held.local.storage, remote: held.remote.storage };
    const lazily = await resolveProject({ config: latestConfig, storages, facts });
    const app = lazily.images.find((image) => image.name === "app")!;
    const presence = Object.fromEntries(app.stages.map((stage) => [stage.name, stage.presence]));
    const archive = app.stages.find((stage) => stage.name === "gitArchive")!;
    expect(presence).toEqual({
      from: { local: true, remote: null, carried: null },
      gitArchive: { local: true, remote: null, carried: { "git-0": "d".repeat(64) } },
      // A user stage may change git content: what it carries is read from REPO's descriptor.
      install: { local: false, remote: true, carried: { "git-0": "d".repeat(64) } },
    });
    expect(archive.carriedAfter).toEqual({ "git-0": "d".repeat(64) });
    const always = await resolveProject({ config: latestConfig, storages, facts, remoteLookup: "always" });
    expect(always.images.find((image) => image.name === "app")!.stages.map((stage) => stage.presence.remote)).toEqual([
      false,
      false,
      true,
    ]);
    const alone = await resolveProject({ config: latestConfig, storages: { local: held.local.storage }, facts });
    expect(alone.images.flatMap((image) => image.stages.map((stage) => stage.presence.remote))).toEqual(
      alone.images.flatMap((image) => image.stages.map(() => null)),
    );
  });

  it("asks REPO about every stage at once when each is local: a git stage's next signature does not wait for REPO", async () => {
    const held = await storagesHolding(() => "local");
    // A REPO that answers only once it was asked about every stage of both images (or after 2 s).
    const { images } = await resolveProject({ config: latestConfig, storages: { local: emptyStorage }, facts });
    const stageCount = images.reduce((sum, image) => sum + image.stages.length, 0);
    let allAsked: () => void = () => {};
    const everyStageAsked = new Promise<void>((resolve) => {
      allAsked = resolve;
    });
    let asked = 0;
    let inFlight = 0;
    let mostAtOnce = 0;
    const slowRemote: StagesStorage = {
      ...held.remote.storage,
      kind: "remote",
      has: async () => {
        asked++;
        inFlight++;
        mostAtOnce = Math.max(mostAtOnce, inFlight);
        if (asked === stageCount) allAsked();
        await Promise.race([everyStageAsked, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
        inFlight--;
        return false;
      },
    };
    const started = Date.now();
    const project = await resolveProject({
      config: latestConfig,
      storages: { local: held.local.storage, remote: slowRemote },
      facts,
      remoteLookup: "always",
    });
    expect(asked).toBe(stageCount);
    expect(mostAtOnce).toBe(stageCount);
    expect(Date.now() - started).toBeLessThan(1500);
    // What the git stage carries still comes from its local descriptor.
    const app = project.images.find((image) => image.name === "app")!;
    expect(app.stages.find((stage) => stage.name === "gitArchive")!.carriedAfter).toEqual({ "git-0": "d".repeat(64) });
    expect(app.stages.map((stage) => stage.presence)).toEqual(
      app.stages.map((stage) => ({
        local: true,
        remote: false,
        carried: stage.name === "from" ? null : { "git-0": "d".repeat(64) },
      })),
    );
  });

  it("remote-first (push) asks the local storage only about the stages REPO lacks, and reads what REPO's carry from REPO", async () => {
    // REPO has every stage of app; tools is only local.
    const held = await storagesHolding((stage) => (stage.image === "app" ? "remote" : "local"));
    const storages = { local: held.local.storage, remote: held.remote.storage };
    const project = await resolveProject({ config: latestConfig, storages, facts, remoteLookup: "remote-first" });
    const app = project.images.find((image) => image.name === "app")!;
    const tools = project.images.find((image) => image.name === "tools")!;
    expect(app.stages.map((stage) => stage.presence)).toEqual([
      { local: null, remote: true, carried: null },
      { local: null, remote: true, carried: { "git-0": "d".repeat(64) } },
      { local: null, remote: true, carried: { "git-0": "d".repeat(64) } },
    ]);
    expect(tools.stages.map((stage) => stage.presence)).toEqual(
      tools.stages.map(() => ({ local: true, remote: false, carried: null })),
    );
    // One question per stage to REPO; the local storage hears only of tools' stages.
    const stageCount = project.images.reduce((sum, image) => sum + image.stages.length, 0);
    expect(held.remote.calls.get + held.remote.calls.has).toBe(stageCount);
    expect(held.local.calls.get + held.local.calls.has).toBe(tools.stages.length);
  });

  it("gives each image its position in the configuration and selects in that order", async () => {
    const project = await resolveProject({
      config: latestConfig,
      images: ["app", "tools"],
      storages: { local: emptyStorage },
      facts,
    });
    expect(project.images.map((image) => [image.name, image.order])).toEqual([
      ["tools", 0],
      ["app", 1],
    ]);
    expect(project.selected.map((image) => image.name)).toEqual(["tools", "app"]);
    const appOnly = await resolveProject({
      config: latestConfig,
      images: ["app"],
      storages: { local: emptyStorage },
      facts,
    });
    expect(appOnly.selected.map((image) => [image.name, image.order])).toEqual([["app", 1]]);
  });
});
