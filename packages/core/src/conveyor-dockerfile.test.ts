import { describe, expect, it } from "vitest";
import type { DockerContextSpec, GitFile, GitSource } from "./adapters/git-source.js";
import type { StageDescriptor, StagesStorage } from "./adapters/stages-storage.js";
import { loadConfigOrThrow } from "./config/index.js";
import type { StagesConfig } from "./config/model.js";
import { contextSelectionId } from "./conveyor-dockerfile.js";
import { fillDependencyValues } from "./dockerfile/dependency-args.js";
import { loadDockerfiles } from "./dockerfile/load.js";
import { ConfigError } from "./errors.js";
import { planBuild } from "./procedures/plans.js";
import { createFactsProvider, type ResolvedProject, resolveProject } from "./resolve.js";
import { sha256Hex } from "./signature.js";
import type { ContentId, Signature } from "./signature-type.js";

/** A storage that holds the given signatures. */
function storage(held: Iterable<Signature> = []): StagesStorage {
  const signatures = new Set(held);
  return {
    specificationVersion: "v1",
    kind: "local",
    description: "memory",
    get: async (signature) =>
      signatures.has(signature) ? ({ signature, carried: null } as unknown as StageDescriptor) : null,
    has: async (signature) => signatures.has(signature),
    list: async () => [],
    delete: async () => {},
  };
}

/**
 * A git source whose build contexts hold `files` (path → blob id), every file 0644; a value
 * `-> target` is a symlink to target.
 */
function contextSource(files: Record<string, string>, calls: DockerContextSpec[] = []): GitSource {
  const list: GitFile[] = Object.entries(files)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([path, blobId]) =>
      blobId.startsWith("-> ")
        ? { path, mode: 0o120000, blobId: blobId.slice(3).padEnd(40, "0") }
        : { path, mode: 0o100644, blobId },
    );
  return {
    specificationVersion: "v1",
    content: async () => {
      throw new Error("no mappings here");
    },
    dependenciesChecksum: async () => "0".repeat(64),
    diff: async () => null,
    readFile: async () => new Uint8Array(),
    readContextFile: async (_spec, path) => new TextEncoder().encode((files[path] ?? "").replace(/^-> /, "")),
    contextContent: async (spec) => {
      calls.push(spec);
      return { mappingId: "context", contentId: contextSelectionId(list) as ContentId, files: list };
    },
  };
}

const stagesYaml = (extra = "") => `project: taxi
configVersion: 1
---
image: app
dockerfile: Dockerfile
${extra}`;

async function load(yaml: string, files: Record<string, string>): Promise<StagesConfig> {
  return loadDockerfiles(loadConfigOrThrow(yaml, { file: "stages.yaml" }).config, {
    read: async (path) => files[path] ?? null,
  });
}

async function resolve(
  config: StagesConfig,
  context: Record<string, string>,
  local: Signature[] = [],
): Promise<ResolvedProject> {
  return resolveProject({
    config,
    storages: { local: storage(local) },
    facts: createFactsProvider({ git: contextSource(context) }),
  });
}

const dockerfile = `ARG BASE=alpine:3.20
FROM $BASE AS build
WORKDIR /src
COPY package.json ./
RUN npm ci
COPY src/ src/
RUN npm run build

FROM $BASE
ARG MODE=production
ENV MODE=$MODE
COPY --from=build /src/dist /app
CMD ["node", "/app/main.js"]
`;
const context = {
  Dockerfile: "f".repeat(40),
  "package.json": "1".repeat(40),
  "src/a.ts": "2".repeat(40),
  "README.md": "3".repeat(40),
};

function signatures(project: ResolvedProject): string[] {
  return project.images.flatMap((image) => image.stages.map((stage) => stage.signature));
}

describe("Dockerfile conveyor", () => {
  it("makes one stage per instruction of the needed build stages, the target's last", async () => {
    const project = await resolve(await load(stagesYaml(), { Dockerfile: dockerfile }), context);
    const [image] = project.images;
    expect(image?.stages.map((stage) => stage.detail)).toEqual([
      "build: FROM $BASE AS build (Dockerfile:2)",
      "build: WORKDIR /src (Dockerfile:3)",
      "build: COPY package.json ./ (Dockerfile:4)",
      "build: RUN npm ci (Dockerfile:5)",
      "build: COPY src/ src/ (Dockerfile:6)",
      "build: RUN npm run build (Dockerfile:7)",
      "stage 1: FROM $BASE (Dockerfile:9)",
      "stage 1: ENV MODE=$MODE (Dockerfile:11)",
      "stage 1: COPY --from=build /src/dist /app (Dockerfile:12)",
      'stage 1: CMD ["node", "/app/main.js"] (Dockerfile:13)',
    ]);
    const stages = image?.stages ?? [];
    // Each build stage starts a chain; COPY --from names the last stage of "build".
    expect(stages[0]?.prev).toBeNull();
    expect(stages[6]?.prev).toBeNull();
    expect(stages[8]?.instructions).toMatchObject({ kind: "dockerfile", copyFrom: stages[5]?.signature });
    expect(stages[0]?.instructions).toEqual({
      kind: "from",
      base: { type: "image", reference: "docker.io/library/alpine:3.20", digest: null },
    });
    // The first COPY carries only the file it selects.
    expect(stages[2]?.instructions).toMatchObject({ context: { files: [{ path: "package.json" }] } });
  });

  it("pins the signatures: documents anyone can hash (printf '%s' '<document>' | sha256sum)", async () => {
    const text = "FROM alpine:3.20\nWORKDIR /src\nCOPY package.json ./\nRUN npm ci\n";
    const files = { "package.json": "1".repeat(40) };
    const stages = (await resolve(await load(stagesYaml(), { Dockerfile: text }), files)).images[0]?.stages ?? [];
    // The context selection of the COPY: sha256 of [["package.json",33188,"1111…"]] (33188 = 0o100644).
    expect(contextSelectionId([{ path: "package.json", mode: 0o100644, blobId: "1".repeat(40) }])).toBe(
      "689de64df0793cba6dccbc0de7090987a1b39a4af007e077ccdc321e819159bf",
    );
    const documents = [
      '{"carried":null,"deps":{"base":"docker.io/library/alpine:3.20"},"prev":null,"project":"taxi","stage":"FROM","v":2}',
      '{"carried":null,"deps":{"change":{"keyword":"WORKDIR","path":"/src"},"op":"config"},"prev":"3a3208dde9065dbc4e1cda3e0ab4625f3ac6f4d4ad2d4b33060ffd5f7250a05a","project":"taxi","stage":"WORKDIR","v":2}',
      '{"carried":null,"deps":{"add":false,"chmod":null,"chown":null,"destination":"./","from":{"context":"689de64df0793cba6dccbc0de7090987a1b39a4af007e077ccdc321e819159bf"},"heredocs":[],"link":false,"op":"copy","sources":["package.json"]},"prev":"e16edc441894303928a2fd4ccba480894cdb459eaf7db62bc982edd2f21e3814","project":"taxi","stage":"COPY","v":2}',
      '{"carried":null,"deps":{"args":[],"command":["npm ci"],"heredocs":[],"network":null,"op":"run","shell":null,"shellForm":true},"prev":"34d0337ec1b9fa2af9067de66abf475c9c2f08eb392c91623d80dba5a0861e7a","project":"taxi","stage":"RUN","v":2}',
    ];
    expect(stages.map((stage) => stage.signature)).toEqual(documents.map((document) => sha256Hex(document)));
    expect(stages.map((stage) => stage.signature)).toEqual([
      "3a3208dde9065dbc4e1cda3e0ab4625f3ac6f4d4ad2d4b33060ffd5f7250a05a",
      "e16edc441894303928a2fd4ccba480894cdb459eaf7db62bc982edd2f21e3814",
      "34d0337ec1b9fa2af9067de66abf475c9c2f08eb392c91623d80dba5a0861e7a",
      "c1862c0f81dc693e8be6d2d24be98454c43ba13d982423a785cf4bbcca70c9bf",
    ]);
  });

  it("changes nothing for comments, unselected files and ARGs an instruction does not see", async () => {
    const base = signatures(await resolve(await load(stagesYaml(), { Dockerfile: dockerfile }), context));
    const moved = `# a new first line\n${dockerfile.replace("RUN npm ci", "# install\nRUN npm ci")}`;
    expect(signatures(await resolve(await load(stagesYaml(), { Dockerfile: moved }), context))).toEqual(base);
    expect(
      signatures(
        await resolve(await load(stagesYaml(), { Dockerfile: dockerfile }), {
          ...context,
          "README.md": "4".repeat(40),
        }),
      ),
    ).toEqual(base);
    // MODE is declared in the second build stage only: the first one's stages keep their signatures.
    const withArg = signatures(
      await resolve(await load(stagesYaml("args: {MODE: debug}\n"), { Dockerfile: dockerfile }), context),
    );
    expect(withArg.slice(0, 7)).toEqual(base.slice(0, 7));
    expect(withArg[7]).not.toBe(base[7]);
  });

  it("re-runs from the first COPY that selects a changed file", async () => {
    const base = signatures(await resolve(await load(stagesYaml(), { Dockerfile: dockerfile }), context));
    const changed = signatures(
      await resolve(await load(stagesYaml(), { Dockerfile: dockerfile }), { ...context, "src/a.ts": "5".repeat(40) }),
    );
    const same = base.filter((signature, index) => changed[index] === signature);
    // FROM, WORKDIR, COPY package.json, RUN npm ci of "build", and FROM + ENV of the final stage.
    expect(same).toEqual([base[0], base[1], base[2], base[3], base[6], base[7]]);
  });

  it("builds only what is missing, build stages first (planBuild follows COPY --from)", async () => {
    const config = await load(stagesYaml(), { Dockerfile: dockerfile });
    const all = signatures(await resolve(config, context)) as Signature[];
    // Everything local but the last two stages of "build" and the final stage's last two.
    const local = all.filter((_, index) => ![4, 5, 8, 9].includes(index));
    const project = await resolve(config, context, local);
    const plan = planBuild(project, false);
    const built = [...plan.steps.values()]
      .filter((step) => step.action === "built")
      .map((step) => step.stage.signature);
    expect(built.sort()).toEqual([all[4], all[5], all[8], all[9]].sort());
    expect(plan.steps.get(all[8] as Signature)?.needs).toEqual([all[7], all[5]]);
  });

  it("makes staged: false one stage over the file, args, target and the whole context", async () => {
    const project = await resolve(await load(stagesYaml("staged: false\n"), { Dockerfile: dockerfile }), context);
    const [image] = project.images;
    expect(image?.stages).toHaveLength(1);
    expect(image?.stages[0]).toMatchObject({ name: "dockerfile", prev: null });
    expect(image?.stages[0]?.instructions).toMatchObject({
      kind: "dockerfileBuild",
      path: "Dockerfile",
      context: { files: expect.arrayContaining([{ path: "README.md", mode: 0o100644, blobId: "3".repeat(40) }]) },
    });
    const other = await resolve(await load(stagesYaml("staged: false\n"), { Dockerfile: dockerfile }), {
      ...context,
      "README.md": "4".repeat(40),
    });
    expect(other.images[0]?.stages[0]?.signature).not.toBe(image?.stages[0]?.signature);
  });

  it("links a Dockerfile FROM to an image of the config, and a stapel image to a Dockerfile image", async () => {
    const yaml = `project: taxi
configVersion: 1
---
image: base
from: alpine:3.20
shell: {install: [apk add curl]}
---
image: app
dockerfile: Dockerfile
---
image: tools
fromImage: app
shell: {install: [make]}
`;
    const config = await load(yaml, { Dockerfile: "FROM base\nRUN echo hi\n" });
    const project = await resolve(config, context);
    const byName = new Map(project.images.map((image) => [image.name, image]));
    expect(project.images.map((image) => image.name)).toEqual(["base", "app", "tools"]);
    const baseLast = byName.get("base")?.stages.at(-1)?.signature;
    const appLast = byName.get("app")?.stages.at(-1)?.signature;
    expect(byName.get("app")?.stages[0]?.instructions).toEqual({
      kind: "from",
      base: { type: "stage", signature: baseLast },
    });
    expect(byName.get("tools")?.stages[0]?.instructions).toEqual({
      kind: "from",
      base: { type: "stage", signature: appLast },
    });
  });

  it("accepts under staged: false what only the engine's builder can do, and refuses it staged", async () => {
    const text = "FROM alpine\nADD https://example.com/a.tgz /a.tgz\n";
    const staged = await load(stagesYaml(), { Dockerfile: text }).catch((caught: unknown) => caught);
    expect((staged as Error).message).toMatch(/^Dockerfile:2:\d+: .*staged: false/);
    const whole = await load(stagesYaml("staged: false\n"), { Dockerfile: text });
    expect(whole.images[0]?.dockerfile?.evaluated).not.toBeNull();
  });

  it("follows a symlink a COPY source goes through: the target's files are inputs", async () => {
    const files = {
      current: "-> releases/v2",
      "releases/v2/app.js": "1".repeat(40),
      "releases/v1/app.js": "2".repeat(40),
    };
    const config = await load(stagesYaml(), { Dockerfile: "FROM alpine\nCOPY current/ /app/\n" });
    const copied = (await resolve(config, files)).images[0]?.stages[1];
    expect(copied?.instructions).toMatchObject({
      context: { files: [{ path: "current" }, { path: "releases/v2/app.js" }] },
    });
    const changed = (await resolve(config, { ...files, "releases/v2/app.js": "3".repeat(40) })).images[0]?.stages[1];
    expect(changed?.signature).not.toBe(copied?.signature);
    const other = (await resolve(config, { ...files, "releases/v1/app.js": "3".repeat(40) })).images[0]?.stages[1];
    expect(other?.signature).toBe(copied?.signature);
  });

  it("shows an instruction continued on several lines by its first line", async () => {
    const project = await resolve(
      await load(stagesYaml(), { Dockerfile: "FROM alpine\nENV A=1 \\\n    B=2\n" }),
      context,
    );
    expect(project.images[0]?.stages[1]?.detail).toBe("stage 0: ENV A=1 (Dockerfile:2)");
  });

  it("reads the context only for images that copy from it", async () => {
    const calls: DockerContextSpec[] = [];
    const config = await load(stagesYaml(), { Dockerfile: "FROM alpine\nRUN true\n" });
    await resolveProject({
      config,
      storages: { local: storage() },
      facts: createFactsProvider({ git: contextSource({}, calls) }),
    });
    expect(calls).toEqual([]);
  });

  it("says where a COPY source is missing and what the context is", async () => {
    const config = await load(stagesYaml("context: web\n"), { "web/Dockerfile": "FROM alpine\nCOPY missing.txt /x\n" });
    const error = await resolve(config, context).catch((caught: unknown) => caught);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      'web/Dockerfile:2:1: COPY source "missing.txt" is not in the build context (web) (the context is the files git tracks there (uncommitted edits included) plus contextAddFiles, minus .dockerignore: `git add` the file, or list it in contextAddFiles)',
    );
  });

  it("reports a missing Dockerfile at the dockerfile: key", async () => {
    const error = await load(stagesYaml(), {}).catch((caught: unknown) => caught);
    expect((error as Error).message).toBe(
      'stages.yaml:5:1: no Dockerfile at Dockerfile (create it, or set dockerfile: to its path inside the context ("."))',
    );
  });
});

describe("werf v2 directives of a Dockerfile image", () => {
  const withDependency = (imports: string, extra = "") => `project: taxi
configVersion: 1
---
image: base
from: alpine:3.20
shell: {install: [apk add curl]}
final: false
---
image: app
dockerfile: Dockerfile
dependencies:
- image: base
  imports:
${imports}
${extra}`;
  const nameImport = "  - {type: ImageName, targetBuildArg: BASE_IMAGE}";

  it("ends the image with an imageSpec stage over its last stage (staged or not)", async () => {
    const spec = "imageSpec: {author: me, config: {env: {A: b}}}\n";
    const plain = (await resolve(await load(stagesYaml(), { Dockerfile: dockerfile }), context)).images[0]!.stages;
    const stages = (await resolve(await load(stagesYaml(spec), { Dockerfile: dockerfile }), context)).images[0]!.stages;
    expect(stages.slice(0, -1).map((stage) => stage.signature)).toEqual(plain.map((stage) => stage.signature));
    expect(stages.at(-1)).toMatchObject({ name: "imageSpec", prev: plain.at(-1)?.signature });
    expect(stages.at(-1)?.instructions).toMatchObject({ kind: "imageSpec", spec: { author: "me", env: { A: "b" } } });
    const other = (
      await resolve(await load(stagesYaml("imageSpec: {author: you}\n"), { Dockerfile: dockerfile }), context)
    ).images[0]!.stages;
    expect(other.at(-1)?.signature).not.toBe(stages.at(-1)?.signature);
    const whole = (await resolve(await load(stagesYaml(`staged: false\n${spec}`), { Dockerfile: dockerfile }), context))
      .images[0]!.stages;
    expect(whole.map((stage) => stage.name)).toEqual(["dockerfile", "imageSpec"]);
  });

  it("gives every FROM the image's platform (signed; the builder refuses another)", async () => {
    const plain = (await resolve(await load(stagesYaml(), { Dockerfile: dockerfile }), context)).images[0]!.stages;
    const stages = (
      await resolve(await load(stagesYaml("platform: linux/amd64\n"), { Dockerfile: dockerfile }), context)
    ).images[0]!.stages;
    expect(stages[0]?.instructions).toMatchObject({ kind: "from", platforms: ["linux/amd64"] });
    expect(stages[6]?.instructions).toMatchObject({ kind: "from", platforms: ["linux/amd64"] });
    expect(stages[0]?.signature).not.toBe(plain[0]?.signature);
    const whole = (
      await resolve(
        await load(stagesYaml("staged: false\nplatform: linux/arm64\n"), { Dockerfile: dockerfile }),
        context,
      )
    ).images[0]!.stages;
    expect(whole[0]?.instructions).toMatchObject({ kind: "dockerfileBuild", platforms: ["linux/arm64"] });
  });

  it("passes a dependency's ImageName as a build arg: the RUN that declares it follows the dependency", async () => {
    const text = "FROM alpine:3.20\nRUN echo one\nARG BASE_IMAGE\nRUN echo $BASE_IMAGE\n";
    const project = await resolve(await load(withDependency(nameImport), { Dockerfile: text }), context);
    const [base, app] = project.images;
    const baseLast = base!.stages.at(-1)!.signature;
    const run = app!.stages[2]!;
    expect(run.instructions).toMatchObject({
      kind: "dockerfile",
      step: {
        command: ["echo $BASE_IMAGE"],
        args: [["BASE_IMAGE", `stages-storage/taxi:${baseLast}`]],
      },
    });
    // Another dependency: the instructions before the ARG keep their signatures, the RUN after it changes.
    const changed = await resolve(
      await load(withDependency(nameImport).replace("apk add curl", "apk add git"), { Dockerfile: text }),
      context,
    );
    const after = changed.images[1]!.stages;
    expect(after.slice(0, 2).map((stage) => stage.signature)).toEqual(app!.stages.slice(0, 2).map((s) => s.signature));
    expect(after[2]?.signature).not.toBe(run.signature);
    // With REPO, the name is the stage's tag there.
    const remote = await resolveProject({
      config: await load(withDependency(nameImport), { Dockerfile: text }),
      storages: { local: storage(), remote: storage(), repository: "registry.test/taxi" },
      facts: createFactsProvider({ git: contextSource(context) }),
    });
    expect(remote.images[1]!.stages[2]!.instructions).toMatchObject({
      step: { args: [["BASE_IMAGE", `registry.test/taxi:image-stage-${baseLast}`]] },
    });
  });

  it("changes nothing when no instruction uses the dependency's build arg", async () => {
    const text = "FROM alpine:3.20\nRUN echo one\n";
    const one = signatures(await resolve(await load(withDependency(nameImport), { Dockerfile: text }), context));
    const two = signatures(
      await resolve(
        await load(withDependency(nameImport).replace("apk add curl", "apk add git"), { Dockerfile: text }),
        context,
      ),
    );
    expect(two.slice(-2)).toEqual(one.slice(-2));
  });

  it("builds FROM $ARG of an ImageName on the dependency's stage", async () => {
    const text = "ARG BASE_IMAGE\nFROM $BASE_IMAGE\nRUN echo hi\n";
    const project = await resolve(await load(withDependency(nameImport), { Dockerfile: text }), context);
    const [base, app] = project.images;
    expect(app!.stages[0]?.instructions).toEqual({
      kind: "from",
      base: { type: "stage", signature: base!.stages.at(-1)!.signature },
    });
  });

  it("holds ImageID and ImageDigest as placeholders naming the dependency's stage until the build fills them", async () => {
    const imports =
      "  - {type: ImageID, targetBuildArg: BASE_ID}\n  - {type: ImageDigest, targetBuildArg: BASE_DIGEST}";
    const text = "FROM alpine:3.20\nARG BASE_ID\nARG BASE_DIGEST\nRUN echo $BASE_ID\nRUN echo $BASE_DIGEST\n";
    const project = await resolve(await load(withDependency(imports), { Dockerfile: text }), context);
    const [base, app] = project.images;
    const source = base!.stages.at(-1)!.signature;
    const id = app!.stages[1]!.instructions;
    expect(id).toMatchObject({
      step: {
        args: [
          ["BASE_ID", `stages-dependency-ImageID-${source}`],
          ["BASE_DIGEST", `stages-dependency-ImageDigest-${source}`],
        ],
      },
      dependencies: [
        { name: "BASE_ID", type: "ImageID", image: "base", source, value: null },
        { name: "BASE_DIGEST", type: "ImageDigest", image: "base", source, value: null },
      ],
    });
    const filled = fillDependencyValues((id as { step: unknown }).step, [
      { name: "BASE_ID", type: "ImageID", image: "base", source, value: "sha256:abc" },
    ]);
    expect(filled).toMatchObject({
      command: ["echo $BASE_ID"],
      args: [
        ["BASE_ID", "sha256:abc"],
        ["BASE_DIGEST", expect.any(String)],
      ],
    });
    // The RUN before the ARGs holds no placeholder: it waits for nothing.
    const first = await resolve(
      await load(withDependency(imports), { Dockerfile: `FROM alpine:3.20\nRUN true\n${text.slice(17)}` }),
      context,
    );
    expect(first.images[1]!.stages[1]!.instructions).not.toHaveProperty("dependencies");
  });

  it("gives a RUN the secrets it mounts; the mount's options are signed, the secret's value and source never", async () => {
    const text =
      "FROM alpine:3.20\nRUN --mount=type=secret,id=npm,target=/root/.npmrc npm ci\nRUN --mount=type=secret,id=other x\n";
    const secrets = (value: string) => `secrets:\n- {id: npm, value: ${value}}\n- {id: unused, env: HOME}\n`;
    const stages = (await resolve(await load(stagesYaml(secrets("one")), { Dockerfile: text }), context)).images[0]!
      .stages;
    expect(stages[1]?.instructions).toMatchObject({
      kind: "dockerfile",
      secrets: [{ id: "npm", source: { kind: "value", value: "one" } }],
      step: { mounts: [{ id: "npm", target: "/root/.npmrc" }] },
    });
    // A mount of a secret the image does not have (not required) is left out: no secrets to read.
    expect(stages[2]?.instructions).not.toHaveProperty("secrets");
    const otherValue = signatures(await resolve(await load(stagesYaml(secrets("two")), { Dockerfile: text }), context));
    expect(otherValue).toEqual(stages.map((stage) => stage.signature));
    const otherTarget = signatures(
      await resolve(
        await load(stagesYaml(secrets("one")), { Dockerfile: text.replace("/root/.npmrc", "/home/.npmrc") }),
        context,
      ),
    );
    expect(otherTarget[1]).not.toBe(stages[1]?.signature);
  });

  it("refuses a required secret mount the image has no secret for, where the RUN is", async () => {
    const error = await load(stagesYaml(), {
      Dockerfile: "FROM alpine\nRUN --mount=type=secret,id=npm,required true\n",
    }).catch((caught: unknown) => caught);
    expect((error as Error).message).toBe(
      'Dockerfile:2:1: RUN mounts the secret "npm" (required), which image "app" does not have (add it to the image\'s secrets: (- {id: npm, env: <VARIABLE>} or src: <file>), or drop required)',
    );
  });

  it("runs a RUN on the image's network: unless the RUN has --network (the CLI's --network comes last)", async () => {
    const text = "FROM alpine:3.20\nRUN a\nRUN --network=host b\n";
    const stages = (await resolve(await load(stagesYaml("network: none\n"), { Dockerfile: text }), context)).images[0]!
      .stages;
    expect(stages[1]?.instructions).toMatchObject({ step: { network: "none" } });
    expect(stages[2]?.instructions).toMatchObject({ step: { network: "host" } });
    const plain = (await resolve(await load(stagesYaml(), { Dockerfile: text }), context)).images[0]!.stages;
    expect(plain[1]?.instructions).toMatchObject({ step: { network: null } });
  });

  it("gives a staged: false build FROM the dependency's stage by its name, which the engine's builder finds", async () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the Dockerfile's own variable
    const text = "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN echo hi\n";
    const project = await resolve(
      await load(withDependency(nameImport, "staged: false\n"), { Dockerfile: text }),
      context,
    );
    const [base, app] = project.images;
    expect(app!.stages[0]?.instructions).toMatchObject({
      kind: "dockerfileBuild",
      args: { BASE_IMAGE: `stages-storage/taxi:${base!.stages.at(-1)!.signature}` },
    });
  });
});
