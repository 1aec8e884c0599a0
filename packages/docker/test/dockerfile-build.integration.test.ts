import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type {
  BuilderEvent,
  CallOptions,
  DockerContextSpec,
  GitFile,
  Signature,
  StageBuildRequest,
  StageInstructions,
} from "@stages/core";
import { AbortedError, StageBuildError } from "@stages/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseReferences } from "../src/dockerfile-build.js";
import { createDockerImageTransfer, createDockerStageBuilder, inspectImage } from "../src/index.js";
import { buildWithBuildKit, expectSameImage } from "./compare-images.js";
import { DockerfileChain } from "./dockerfile-chain.js";
import type { TestEngine } from "./engine.js";
import { startTestEngine } from "./engine.js";
import type { MemoryFile } from "./memory-git-source.js";
import { MemoryGitSource } from "./memory-git-source.js";
import { stageRequest } from "./stage-requests.js";

const baseImage = process.env.STAGES_TEST_BASE_IMAGE ?? "";
let engine: TestEngine;
let chain: DockerfileChain;
const directories: string[] = [];
const tags: string[] = [];

/** The memory work tree as a Dockerfile context source (the real one is @stages/git's). */
class MemoryContextSource extends MemoryGitSource {
  async readContextFile(spec: DockerContextSpec, path: string, _options?: CallOptions): Promise<Uint8Array> {
    const mapping = { add: spec.directory === "" ? "/" : spec.directory } as Parameters<MemoryGitSource["readFile"]>[0];
    return this.readFile(mapping, path);
  }
}

beforeAll(async () => {
  if (!baseImage) throw new Error("STAGES_TEST_BASE_IMAGE is required (run it under the test environment)");
  engine = await startTestEngine();
  chain = new DockerfileChain(engine, "none", new MemoryContextSource());
});

afterAll(async () => {
  await chain?.cleanup();
  for (const tag of tags) {
    try {
      engine.docker(["rmi", "-f", tag]);
    } catch {}
  }
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
  await engine?.stop();
});

/** The files as a context selection (what core passes) and, on disk, the same tree for BuildKit. */
function context(files: Record<string, MemoryFile>): { selection: GitFile[]; directory: string } {
  (chain.git as MemoryContextSource).reset(files);
  const directory = mkdtempSync(join(tmpdir(), "stages-dfile-ctx-"));
  directories.push(directory);
  const selection: GitFile[] = [];
  for (const [path, file] of Object.entries(files).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const target = join(directory, path);
    mkdirSync(dirname(target), { recursive: true });
    const content = typeof file === "string" ? file : "content" in file ? file.content : "";
    const executable = typeof file === "object" && "executable" in file && file.executable === true;
    writeFileSync(target, content);
    chmodSync(target, executable ? 0o755 : 0o644);
    selection.push({ path, mode: executable ? 0o100755 : 0o100644, blobId: "0".repeat(40) });
  }
  return { selection, directory };
}

function wholeRequest(
  dockerfile: string,
  selection: GitFile[],
  fields: Partial<Extract<StageInstructions, { kind: "dockerfileBuild" }>> = {},
  options: { events?: BuilderEvent[]; signal?: AbortSignal } = {},
): StageBuildRequest {
  return stageRequest(chain.project, {
    stage: "dockerfile",
    instructions: {
      kind: "dockerfileBuild",
      dockerfile,
      path: "Dockerfile",
      target: null,
      args: {},
      addHost: [],
      network: null,
      context: { spec: { directory: "", dockerfile: "Dockerfile", addFiles: [] }, files: selection },
      ...fields,
    },
    ...(options.events ? { events: options.events } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/** Images (intermediate ones included) whose build command mentions `marker`: what a build made. */
function imagesMentioning(marker: string): string[] {
  const ids = [...new Set(engine.docker(["images", "-a", "-q", "--no-trunc"]).trim().split("\n").filter(Boolean))];
  const format = ["image", "inspect", "--format", "{{.Id}} {{json .ContainerConfig.Cmd}}"];
  let lines: string[];
  try {
    lines = engine.docker([...format, ...ids]).split("\n");
  } catch {
    // One was removed meanwhile by another test: ask one by one.
    lines = ids.flatMap((id) => {
      try {
        return engine.docker([...format, id]).split("\n");
      } catch {
        return [];
      }
    });
  }
  return lines.filter((line) => line.includes(marker)).map((line) => line.split(" ")[0] as string);
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: a Dockerfile variable.
const fromBase = "FROM ${BASE} AS build";
const multiStage = [
  "ARG BASE",
  fromBase,
  "ARG GREETING=hi",
  "COPY app/ /app/",
  'RUN echo "$GREETING" > /app/greeting && grep myhost /etc/hosts > /app/hosts',
  "FROM build AS final",
  "COPY data.txt /srv/",
  "ENV MODE=final",
  'CMD ["/app/main.sh"]',
  "FROM final AS unused",
  "RUN exit 1",
  "",
].join("\n");

describe("staged: false (the engine's builder)", () => {
  it("builds the target with args, addHost and the context selection; equals BuildKit; carries the stage labels", async () => {
    const { selection, directory } = context({
      Dockerfile: multiStage,
      "app/main.sh": { content: "#!/bin/sh\necho main\n", executable: true },
      "app/lib/util.txt": "util\n",
      "data.txt": "data\n",
    });
    const events: BuilderEvent[] = [];
    const request = wholeRequest(
      multiStage,
      selection,
      { target: "final", args: { BASE: baseImage, GREETING: "hello" }, addHost: ["myhost:10.1.1.1"] },
      { events },
    );
    const stage = await chain.builder.build(request);
    expect(stage.signature).toBe(request.signature);
    const tag = `stages-dfile-buildkit/${chain.project}:whole`;
    tags.push(tag);
    await buildWithBuildKit(engine.host, directory, {
      tag,
      target: "final",
      args: { BASE: baseImage, GREETING: "hello" },
      addHost: ["myhost:10.1.1.1"],
      noCache: true,
    });
    await expectSameImage(engine.host, chain.image(request.signature), tag);
    const inspected = await inspectImage(engine.connection, chain.image(request.signature));
    expect(inspected?.labels["io.stages.stage"]).toBe("dockerfile");
    expect(inspected?.labels["io.stages.signature"]).toBe(request.signature);
    const output = events.map((event) => (event.type === "output" ? event.text : "")).join("");
    expect(output).toMatch(/Step \d+\/\d+ : RUN echo/);
  });

  it("adds the Dockerfile when the selection lacks it (a .dockerignore'd Dockerfile)", async () => {
    const dockerfile = `FROM ${baseImage}\nCOPY . /ctx/\n`;
    const { selection } = context({ "only.txt": "only\n" });
    const request = wholeRequest(dockerfile, selection);
    await chain.builder.build(request);
    const listing = engine.docker([
      "run",
      "--rm",
      "--entrypoint",
      "/bin/sh",
      chain.image(request.signature),
      "-c",
      "ls /ctx",
    ]);
    expect(listing.trim().split("\n")).toEqual(["Dockerfile", "only.txt"]);
  });

  it("pulls a FROM image of a registry that needs credentials with the builder's credentials", async () => {
    const registry = process.env.STAGES_TEST_REGISTRY_AUTH ?? "";
    const username = process.env.STAGES_TEST_REGISTRY_USER ?? "";
    const password = process.env.STAGES_TEST_REGISTRY_PASSWORD ?? "";
    if (!registry || !username || !password) throw new Error("STAGES_TEST_REGISTRY_AUTH and its user are required");
    const registryAuth = async (host: string) => (host === registry ? { username, password } : null);
    const [from] = await chain.build({ type: "image", reference: baseImage, digest: null }, []);
    const reference = `${registry}/stages-dfile/${chain.project}:base`;
    await createDockerImageTransfer({ connection: engine.connection, registryAuth }).push({
      project: chain.project,
      signature: from as Signature,
      reference,
    });
    const dockerfile = `FROM ${reference}\nRUN echo pulled > /pulled.txt\n`;
    const { selection } = context({ Dockerfile: dockerfile });
    const anonymous = await chain.builder.build(wholeRequest(dockerfile, selection)).catch((error: unknown) => error);
    expect(StageBuildError.isInstance(anonymous)).toBe(true);
    const builder = createDockerStageBuilder({ connection: engine.connection, git: chain.git, registryAuth });
    const request = wholeRequest(dockerfile, selection);
    await builder.build(request);
    expect(engine.docker(["run", "--rm", "--entrypoint", "cat", chain.image(request.signature), "/pulled.txt"])).toBe(
      "pulled\n",
    );
    engine.docker(["rmi", reference]);
  });

  it("names the images FROM and COPY --from pull, not build stages or variables", () => {
    expect(
      baseReferences(
        [
          "ARG V=1",
          "FROM --platform=linux/amd64 alpine:3 AS build",
          "FROM build AS second",
          "FROM \\",
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a Dockerfile variable.
          "  registry.example.com/team/app:${V}",
          "FROM scratch",
          "COPY --from=build /a /a",
          "COPY --chown=1 --from=busybox:1 /bin/sh /sh",
          "COPY --from=0 /b /b",
          "FROM localhost:5000/base",
        ].join("\n"),
      ),
    ).toEqual(["alpine:3", "busybox:1", "localhost:5000/base"]);
  });

  it("a failing instruction is located, with its exit code; nothing is left", async () => {
    const marker = `first-${Math.random().toString(36).slice(2, 10)}`;
    const dockerfile = `FROM ${baseImage}\nENV A=1\nRUN echo ${marker} > /x\nRUN echo oops-output && exit 4\nCMD ["x"]\n`;
    const { selection } = context({ Dockerfile: dockerfile });
    const request = wholeRequest(dockerfile, selection);
    const failure = await chain.builder.build(request).catch((error: unknown) => error);
    expect(StageBuildError.isInstance(failure)).toBe(true);
    const message = (failure as Error).message;
    expect(message).toContain("Dockerfile:4");
    expect(message).toContain("exit code 4");
    expect(message).toContain("oops-output");
    expect((failure as { hint?: string }).hint).toContain("fix the instruction at Dockerfile:4");
    expect(await chain.storage.has(request.signature)).toBe(false);
    expect(imagesMentioning(marker)).toEqual([]);
    expect(engine.docker(["ps", "-a", "--no-trunc", "--format", "{{.Command}}"])).not.toContain("oops-output");
  });

  it("a cancelled build stops and leaves no stage, container or image", async () => {
    const marker = `first-${Math.random().toString(36).slice(2, 10)}`;
    const dockerfile = `FROM ${baseImage}\nRUN echo ${marker} > /x\nRUN echo started-whole && sleep 30 && echo never\n`;
    const { selection } = context({ Dockerfile: dockerfile });
    const controller = new AbortController();
    const events: BuilderEvent[] = [];
    const request = wholeRequest(dockerfile, selection, {}, { events, signal: controller.signal });
    const building = chain.builder.build(request).catch((error: unknown) => error);
    const started = Date.now();
    while (!events.some((event) => event.type === "output" && event.text.includes("started-whole\n"))) {
      if (Date.now() - started > 30_000) throw new Error("the build never started its RUN");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    controller.abort();
    const failure = await building;
    expect(AbortedError.isInstance(failure)).toBe(true);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(await chain.storage.has(request.signature as Signature)).toBe(false);
    expect(engine.docker(["ps", "-a", "--no-trunc", "--format", "{{.Command}}"])).not.toContain("started-whole");
    expect(imagesMentioning(marker)).toEqual([]);
  });
});
