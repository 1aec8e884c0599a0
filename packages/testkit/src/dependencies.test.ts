import {
  build,
  createFactsProvider,
  type DependencyEnv,
  type ImportSource,
  loadConfigOrThrow,
  type StageBuildRequest,
  StageMissingError,
  type StagesEvent,
} from "@stages/core";
import { beforeEach, describe, expect, it } from "vitest";
import {
  createMemoryGitSource,
  createMemoryStageBuilder,
  createMemoryTransfer,
  type MemoryRegistry,
} from "./memory-adapters.js";
import { createMemoryStagesStorage } from "./memory-storage.js";

const repository = "registry.test/taxi";
const alpineDigest = `sha256:${"1".repeat(64)}`;
const busyboxDigest = `sha256:${"2".repeat(64)}`;

// werf v2: import.stage, import.from of an external image, dependencies into env variables.
const text = `project: taxi
configVersion: 1
---
image: tools
final: false
from: alpine:3.20
shell:
  install: [make tool]
  setup: [make docs]
---
image: app
from: alpine:3.20
import:
- from: tools
  stage: install
  add: /usr/local/bin/tool
  after: install
- from: busybox:1.36
  add: /bin/busybox
  to: /bin/busybox
  before: setup
dependencies:
- image: tools
  after: install
  imports:
  - type: ImageName
    targetEnv: TOOLS_NAME
  - type: ImageRepo
    targetEnv: TOOLS_REPO
  - type: ImageTag
    targetEnv: TOOLS_TAG
  - type: ImageID
    targetEnv: TOOLS_ID
  - type: ImageDigest
    targetEnv: TOOLS_DIGEST
shell:
  setup: [echo "$TOOLS_NAME"]
`;

const config = loadConfigOrThrow(text).config;

describe("werf v2 imports and dependencies through the build procedure", () => {
  let registry: MemoryRegistry;
  let local: ReturnType<typeof createMemoryStagesStorage>;
  let builder: ReturnType<typeof createMemoryStageBuilder>;
  let transfer: ReturnType<typeof createMemoryTransfer>;
  const git = createMemoryGitSource({});
  const asked: string[] = [];

  beforeEach(() => {
    registry = { repository, stages: createMemoryStagesStorage({ project: "taxi", kind: "remote" }), tags: new Map() };
    local = createMemoryStagesStorage({ project: "taxi", kind: "local" });
    builder = createMemoryStageBuilder({
      local,
      digests: {
        "docker.io/library/alpine:3.20": alpineDigest,
        "docker.io/library/busybox:1.36": busyboxDigest,
      },
    });
    transfer = createMemoryTransfer({ local, registry });
    asked.length = 0;
  });

  const facts = () =>
    createFactsProvider({
      git,
      baseDigests: {
        resolveBaseDigest: (reference, options) => {
          asked.push(reference);
          return builder.resolveBaseDigest!(reference, options);
        },
      },
    });
  const request = (image: string, stage: string): StageBuildRequest => {
    const found = builder.builds.find((candidate) => candidate.image === image && candidate.stage === stage);
    if (!found) throw new Error(`no build of ${image}/${stage}`);
    return found;
  };
  const lastOf = (image: string) => builder.builds.filter((candidate) => candidate.image === image).at(-1)!;
  const dependencies = (built: StageBuildRequest): Record<string, string | null> => {
    if (built.instructions.kind !== "imports") throw new Error("not an imports stage");
    return Object.fromEntries(built.instructions.dependencies.map((item: DependencyEnv) => [item.name, item.value]));
  };
  const imports = (built: StageBuildRequest): ImportSource[] => {
    if (built.instructions.kind !== "imports") throw new Error("not an imports stage");
    return [...built.instructions.imports];
  };

  it("imports from the stage named, from an external image pinned at its digest, and passes the dependency values (local)", async () => {
    const events: StagesEvent[] = [];
    await build({ config, local, builder, facts: facts(), onEvent: (event) => events.push(event) });
    const install = request("tools", "install");
    const tools = lastOf("tools");
    expect(tools.stage).toBe("setup");

    const afterInstall = request("app", "importsAfterInstall");
    // The tools image as it is after its install stage, not its last stage.
    expect(imports(afterInstall).map((item) => item.source)).toEqual([install.signature]);
    // Its values name the local stage of tools' last stage; the id is the local image's.
    const toolsStage = await local.get(tools.signature);
    expect(dependencies(afterInstall)).toEqual({
      TOOLS_NAME: `stages-storage/taxi:${tools.signature}`,
      TOOLS_REPO: "stages-storage/taxi",
      TOOLS_TAG: tools.signature,
      TOOLS_ID: toolsStage?.id,
      TOOLS_DIGEST: "",
    });
    expect(events).toContainEqual(
      expect.objectContaining({ type: "note", level: "warning", text: expect.stringContaining("TOOLS_DIGEST") }),
    );

    const beforeSetup = request("app", "importsBeforeSetup");
    expect(imports(beforeSetup)).toEqual([
      expect.objectContaining({
        source: null,
        external: { reference: "docker.io/library/busybox:1.36", digest: busyboxDigest },
      }),
    ]);
    expect(asked).toContain("docker.io/library/busybox:1.36");
  });

  it("names the stages in REPO with a repository, and takes the digest of the pushed stage", async () => {
    await build({
      config,
      local,
      builder,
      facts: facts(),
      remote: { storage: registry.stages, repository, transfer },
      push: true,
    });
    const tools = lastOf("tools");
    const afterInstall = request("app", "importsAfterInstall");
    const pushed = await registry.stages.get(tools.signature);
    expect(pushed).not.toBeNull();
    expect(dependencies(afterInstall)).toEqual({
      TOOLS_NAME: `${repository}:image-stage-${tools.signature}`,
      TOOLS_REPO: repository,
      TOOLS_TAG: `image-stage-${tools.signature}`,
      TOOLS_ID: (await local.get(tools.signature))?.id,
      TOOLS_DIGEST: pushed?.id,
    });
  });

  it("signs the values: with a REPO the dependent stage is another one", async () => {
    await build({ config, local, builder, facts: facts() });
    const localSignature = request("app", "importsAfterInstall").signature;
    builder.builds.length = 0;
    await build({
      config,
      local,
      builder,
      facts: facts(),
      remote: { storage: registry.stages, repository, transfer },
      push: true,
    });
    expect(request("app", "importsAfterInstall").signature).not.toBe(localSignature);
    // Stages before it are the same: only the dependency values differ.
    expect(builder.builds.some((built) => built.image === "tools")).toBe(false);
  });

  it("refuses an ImageDigest whose stage is not in REPO", async () => {
    await expect(
      build({ config, local, builder, facts: facts(), remote: { storage: registry.stages, repository, transfer } }),
    ).rejects.toSatisfy(
      (error: unknown) =>
        StageMissingError.isInstance(error) && /TOOLS_DIGEST.*--push/s.test(`${error.message} ${error.hint}`),
    );
  });
});
