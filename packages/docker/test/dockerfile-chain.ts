import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type {
  BuilderEvent,
  DockerfileConfigChange,
  DockerfileHeredoc,
  DockerfileLocation,
  DockerfileStep,
  Signature,
  StageBuilder,
  StageInstructions,
  StagesStorage,
} from "@stages/core";
import { localStageName } from "@stages/core";
import { createDockerStageBuilder, createDockerStagesStorage } from "../src/index.js";
import type { BuildKitOptions } from "./compare-images.js";
import { buildWithBuildKit, expectSameImage } from "./compare-images.js";
import type { TestEngine } from "./engine.js";
import { MemoryGitSource } from "./memory-git-source.js";
import { stageRequest } from "./stage-requests.js";

/**
 * Builds staged Dockerfile chains by hand (the requests core would make) and compares their last
 * stage with BuildKit's build of the same Dockerfile text.
 */
export class DockerfileChain {
  readonly project = `dfile-${randomBytes(3).toString("hex")}`;
  readonly git: MemoryGitSource;
  readonly builder: StageBuilder;
  readonly storage: StagesStorage;
  private readonly engine: TestEngine;
  private readonly tags: string[] = [];
  private readonly directories: string[] = [];

  constructor(engine: TestEngine, network?: string, git: MemoryGitSource = new MemoryGitSource()) {
    this.engine = engine;
    this.git = git;
    this.builder = createDockerStageBuilder({
      connection: engine.connection,
      git: this.git,
      ...(network ? { network } : {}),
    });
    this.storage = createDockerStagesStorage({ connection: engine.connection, project: this.project });
  }

  /** Builds `from` then each step on the previous stage; returns every signature, the `from` stage's first. */
  async build(
    from: Extract<StageInstructions, { kind: "from" }>["base"],
    steps: readonly (DockerfileStep | StageInstructions)[],
    options: { addHost?: string[]; events?: BuilderEvent[]; signal?: AbortSignal } = {},
  ): Promise<Signature[]> {
    const first = await this.builder.build(
      stageRequest(this.project, { stage: "FROM", instructions: { kind: "from", base: from }, events: options.events }),
    );
    const signatures = [first.signature];
    for (const step of steps) {
      const instructions: StageInstructions =
        "op" in step
          ? { kind: "dockerfile", step, escape: "\\", context: null, copyFrom: null, addHost: options.addHost ?? [] }
          : step;
      const stage =
        "op" in step
          ? step.op === "run"
            ? "RUN"
            : step.op === "copy"
              ? "COPY"
              : (changeKeyword(step) ?? "RUN")
          : "dockerfile";
      const built = await this.builder.build(
        stageRequest(this.project, {
          stage: stage as never,
          instructions,
          base: signatures.at(-1) as Signature,
          ...(options.events ? { events: options.events } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        }),
      );
      signatures.push(built.signature);
    }
    return signatures;
  }

  /** Builds one step on `base` with a known signature; the promise settles with the stage or the error. */
  step(
    base: Signature,
    step: DockerfileStep,
    options: { addHost?: string[]; events?: BuilderEvent[]; signal?: AbortSignal } = {},
  ): { signature: Signature; result: Promise<unknown> } {
    const request = stageRequest(this.project, {
      stage: step.op === "run" ? "RUN" : step.op === "copy" ? "COPY" : (changeKeyword(step) as never),
      instructions: {
        kind: "dockerfile",
        step,
        escape: "\\",
        context: null,
        copyFrom: null,
        addHost: options.addHost ?? [],
      },
      base,
      ...(options.events ? { events: options.events } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { signature: request.signature, result: this.builder.build(request).catch((error: unknown) => error) };
  }

  /** The local image name of a stage. */
  image(signature: Signature): string {
    return localStageName(this.project, signature);
  }

  /** Builds `dockerfile` (text) with BuildKit; returns the tag. */
  async buildKit(dockerfile: string, options: Omit<BuildKitOptions, "tag"> = {}): Promise<string> {
    const directory = mkdtempSync(join(tmpdir(), "stages-dfile-"));
    this.directories.push(directory);
    writeFileSync(join(directory, "Dockerfile"), dockerfile);
    const tag = `stages-dfile-buildkit/${this.project}:${randomBytes(4).toString("hex")}`;
    this.tags.push(tag);
    await buildWithBuildKit(this.engine.host, directory, { ...options, tag, noCache: true });
    return tag;
  }

  /** Expects the stage to equal BuildKit's image of `dockerfile`. */
  async expectSameAsBuildKit(
    signature: Signature,
    dockerfile: string,
    options: Omit<BuildKitOptions, "tag"> = {},
  ): Promise<void> {
    const tag = await this.buildKit(dockerfile, options);
    await expectSameImage(this.engine.host, this.image(signature), tag);
  }

  async cleanup(): Promise<void> {
    for (const stage of await this.storage.list()) await this.storage.delete(stage.signature);
    for (const tag of this.tags) {
      try {
        this.engine.docker(["rmi", "-f", tag]);
      } catch {}
    }
    for (const directory of this.directories) rmSync(directory, { recursive: true, force: true });
  }
}

function changeKeyword(step: DockerfileStep): string | null {
  return step.op === "config" ? step.change.keyword : null;
}

let line = 1;

/** A location on a fresh line of `Dockerfile`. */
export function at(): DockerfileLocation {
  line += 1;
  return { file: "Dockerfile", line, column: 1 };
}

/** A RUN step (shell form unless `exec` is given). */
export function runStep(
  command: string | string[],
  fields: Partial<{ shell: string[]; args: [string, string][]; network: string; heredocs: DockerfileHeredoc[] }> = {},
): DockerfileStep {
  return {
    op: "run",
    location: at(),
    command: typeof command === "string" ? [command] : command,
    shellForm: typeof command === "string",
    shell: fields.shell ?? null,
    heredocs: fields.heredocs ?? [],
    args: fields.args ?? [],
    network: fields.network ?? null,
    late: false,
  };
}

/** A metadata step. */
export function configStep(change: DockerfileConfigChange): DockerfileStep {
  return { op: "config", location: at(), change, late: false };
}
