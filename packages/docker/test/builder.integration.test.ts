import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BuilderEvent, ContentId, Signature, StageBuilder, StageDescriptor, StagesStorage } from "@stages/core";
import { AbortedError, emptyDockerInstructions, localStageName, StageBuildError, stageLabels } from "@stages/core";
import { gitMapping } from "@stages/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createDockerStageBuilder,
  createDockerStagesStorage,
  importRootfs,
  inspectImage,
  removeImage,
} from "../src/index.js";
import type { TestEngine } from "./engine.js";
import { startTestEngine } from "./engine.js";
import { MemoryGitSource } from "./memory-git-source.js";
import { importSpec, randomSignature, stageRequest } from "./stage-requests.js";

let engine: TestEngine;
let builder: StageBuilder;
let storage: StagesStorage;
const git = new MemoryGitSource();
const project = `builder-${randomBytes(3).toString("hex")}`;

beforeAll(async () => {
  engine = await startTestEngine();
  builder = createDockerStageBuilder({ connection: engine.connection, git });
  storage = createDockerStagesStorage({ connection: engine.connection, project });
});

afterAll(async () => {
  if (!engine) return;
  for (const stage of await storage.list()) await storage.delete(stage.signature);
  await engine.stop();
});

/** Runs a command in a throwaway container of the stage image; returns stdout. */
function run(signature: Signature, script: string): string {
  return engine.docker([
    "run",
    "--rm",
    "--network",
    "none",
    "--entrypoint",
    "/bin/sh",
    localStageName(project, signature),
    "-c",
    script,
  ]);
}

/** `uid gid mode type path` for every path under `root`. */
function listing(signature: Signature, root: string): string[] {
  return run(signature, `find ${root} | sort | xargs stat -c '%u %g %a %F %n'`).trim().split("\n");
}

async function fromBase(): Promise<StageDescriptor> {
  return builder.build(
    stageRequest(project, {
      stage: "from",
      instructions: { kind: "from", base: { type: "image", reference: engine.baseImage, digest: null } },
    }),
  );
}

describe("from", () => {
  it("makes the first stage from a base image with the stage labels and the base's config", async () => {
    const from = await fromBase();
    expect(from.stage).toBe("from");
    expect(from.project).toBe(project);
    expect(from.parent).toBeNull();
    expect(await storage.has(from.signature)).toBe(true);
    const image = await inspectImage(engine.connection, localStageName(project, from.signature));
    expect(image?.labels[stageLabels.signature]).toBe(from.signature);
    expect(image?.config.env).toEqual(["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]);
    expect(image?.config.cmd).toBeNull();
    expect(image?.config.entrypoint).toBeNull();
    expect(engine.containersNamed(`stages-build-${from.signature.slice(0, 12)}`)).toEqual([]);
  });
});

describe("shell", () => {
  it("runs the commands in one shell, streams output and keeps the base's config", async () => {
    const from = await fromBase();
    const events: BuilderEvent[] = [];
    const stage = await builder.build(
      stageRequest(project, {
        stage: "install",
        base: from.signature,
        events,
        instructions: {
          kind: "shell",
          gitUpdates: [],
          commands: ["mkdir -p /work && cd /work", "echo built > result.txt", "echo to-stdout", "echo to-stderr >&2"],
        },
      }),
    );
    expect(stage.parent).toBe(from.signature);
    expect(run(stage.signature, "cat /work/result.txt; id -u")).toBe("built\n0\n");
    const stdout = events.flatMap((event) =>
      event.type === "output" && event.stream === "stdout" ? [event.text] : [],
    );
    const stderr = events.flatMap((event) =>
      event.type === "output" && event.stream === "stderr" ? [event.text] : [],
    );
    expect(stdout.join("")).toContain("to-stdout");
    expect(stderr.join("")).toContain("to-stderr");
    const image = await inspectImage(engine.connection, localStageName(project, stage.signature));
    expect(image?.config.cmd).toBeNull();
    expect(image?.config.entrypoint).toBeNull();
    expect(image?.labels[stageLabels.parent]).toBe(from.signature);
  });

  it("runs with network mode none", async () => {
    const from = await fromBase();
    const events: BuilderEvent[] = [];
    await builder.build(
      stageRequest(project, {
        stage: "install",
        base: from.signature,
        events,
        instructions: { kind: "shell", gitUpdates: [], commands: ["ls /sys/class/net"] },
      }),
    );
    expect(
      events
        .map((event) => (event.type === "output" ? event.text : ""))
        .join("")
        .trim(),
    ).toBe("lo");
  });

  it("runs a script too long for one argument from a file that does not stay in the image", async () => {
    const from = await fromBase();
    const padding = "x".repeat(200);
    const commands = Array.from({ length: 600 }, (_, index) => `: ${index} ${padding}`);
    commands.push("echo long > /long.txt");
    const stage = await builder.build(
      stageRequest(project, {
        stage: "setup",
        base: from.signature,
        instructions: { kind: "shell", gitUpdates: [], commands },
      }),
    );
    expect(run(stage.signature, "cat /long.txt; ls -a / | grep -c stages-script || true")).toBe("long\n0\n");
  });
});

describe("failures and aborts", () => {
  it("reports a failing command with image, stage, exit code and last lines, leaving no stage and no container", async () => {
    const from = await fromBase();
    const request = stageRequest(project, {
      stage: "install",
      image: "backend",
      base: from.signature,
      instructions: {
        kind: "shell",
        gitUpdates: [],
        // The engine copies stdout and stderr separately; the pause keeps their order for the test.
        commands: [
          "for i in $(seq 1 30); do echo line-$i; done",
          "sleep 0.3",
          "echo broken >&2",
          "exit 3",
          "echo never",
        ],
      },
    });
    const failure = await builder.build(request).catch((error: unknown) => error);
    expect(StageBuildError.isInstance(failure)).toBe(true);
    const message = (failure as Error).message;
    expect(message).toContain("stage install of image backend");
    expect(message).toContain("code 3");
    expect(message).toContain("broken");
    expect(message).toContain("line-30");
    expect(message).not.toContain("line-5\n");
    expect(message).not.toContain("never");
    expect(await storage.has(request.signature)).toBe(false);
    expect(engine.containersNamed(`stages-build-${request.signature.slice(0, 12)}`)).toEqual([]);
  });

  it("aborts a running command: AbortedError, no stage, no container", async () => {
    const from = await fromBase();
    const controller = new AbortController();
    const events: BuilderEvent[] = [];
    const request = stageRequest(project, {
      stage: "setup",
      base: from.signature,
      signal: controller.signal,
      events,
      instructions: { kind: "shell", gitUpdates: [], commands: ["echo started", "sleep 5", "echo finished"] },
    });
    const started = Date.now();
    const building = builder.build(request).catch((error: unknown) => error);
    while (!events.some((event) => event.type === "output" && event.text.includes("started"))) {
      if (Date.now() - started > 20_000) throw new Error("the command never started");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    controller.abort();
    const failure = await building;
    expect(AbortedError.isInstance(failure)).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await storage.has(request.signature)).toBe(false);
    expect(engine.containersNamed(`stages-build-${request.signature.slice(0, 12)}`)).toEqual([]);
  });

  it("reports an image without /bin/sh as a StageBuildError and leaves no container", async () => {
    const rootfs = mkdtempSync(join(tmpdir(), "stages-noshell-"));
    const reference = `stages-docker-test/no-shell:${randomBytes(3).toString("hex")}`;
    try {
      mkdirSync(join(rootfs, "etc"));
      writeFileSync(join(rootfs, "etc", "motd"), "no shell here\n");
      await importRootfs(engine.connection, { rootfs, reference });
      const from = await builder.build(
        stageRequest(project, {
          stage: "from",
          instructions: { kind: "from", base: { type: "image", reference, digest: null } },
        }),
      );
      const request = stageRequest(project, {
        stage: "install",
        base: from.signature,
        instructions: { kind: "shell", gitUpdates: [], commands: ["true"] },
      });
      const failure = await builder.build(request).catch((error: unknown) => error);
      expect(StageBuildError.isInstance(failure)).toBe(true);
      expect((failure as Error).message).toContain("its container did not start");
      expect(await storage.has(request.signature)).toBe(false);
      expect(engine.containersNamed(`stages-build-${request.signature.slice(0, 12)}`)).toEqual([]);
    } finally {
      rmSync(rootfs, { recursive: true, force: true });
      await removeImage(engine.connection, reference);
    }
  });

  it("rejects at once when the signal is already aborted", async () => {
    const from = await fromBase();
    const request = stageRequest(project, {
      stage: "setup",
      base: from.signature,
      signal: AbortSignal.abort(),
      instructions: { kind: "shell", gitUpdates: [], commands: ["true"] },
    });
    await expect(builder.build(request)).rejects.toSatisfy((error: unknown) => AbortedError.isInstance(error));
  });
});

describe("git", () => {
  const mapping = gitMapping({
    id: "git-0",
    add: "/",
    to: "/app",
    includePaths: ["src", "package.json", "bin"],
    excludePaths: ["**/*.md"],
    owner: "app",
    group: "app",
  });

  it("puts every file of a mapping at `to` with owner, group, modes and symlinks (gitArchive)", async () => {
    git.reset({
      "package.json": '{"name":"app"}\n',
      "src/main.js": "console.log('main')\n",
      "src/lib/util.js": "export const util = 1;\n",
      "src/README.md": "# excluded\n",
      "bin/run": { content: "#!/bin/sh\necho run\n", executable: true },
      "bin/current": { symlink: "run" },
      "docs/guide.txt": "not included\n",
    });
    const from = await fromBase();
    const content = await git.content(mapping);
    const archive = await builder.build(
      stageRequest(project, {
        stage: "gitArchive",
        base: from.signature,
        carried: { [mapping.id]: content.contentId },
        instructions: { kind: "git", gitUpdates: [{ mapping, content, from: null }] },
      }),
    );
    expect(archive.carried).toEqual({ [mapping.id]: content.contentId });
    expect(listing(archive.signature, "/app")).toEqual([
      "1000 1000 755 directory /app",
      "1000 1000 755 directory /app/bin",
      "1000 1000 777 symbolic link /app/bin/current",
      "1000 1000 755 regular file /app/bin/run",
      "1000 1000 644 regular file /app/package.json",
      "1000 1000 755 directory /app/src",
      "1000 1000 755 directory /app/src/lib",
      "1000 1000 644 regular file /app/src/lib/util.js",
      "1000 1000 644 regular file /app/src/main.js",
    ]);
    expect(run(archive.signature, "/app/bin/current; cat /app/src/main.js")).toBe("run\nconsole.log('main')\n");
    // Directories the mapping does not own are left alone.
    expect(run(archive.signature, "stat -c '%u %g %a' /")).toBe("0 0 755\n");
  });

  it("patches: changed and added files put, deleted files removed, new directories owned (gitLatestPatch)", async () => {
    git.reset({
      "package.json": '{"name":"app"}\n',
      "src/main.js": "console.log('main')\n",
      "src/old.js": "old\n",
      "bin/run": { content: "#!/bin/sh\necho run\n", executable: true },
    });
    const from = await fromBase();
    const before = await git.content(mapping);
    const archive = await builder.build(
      stageRequest(project, {
        stage: "gitArchive",
        base: from.signature,
        carried: { [mapping.id]: before.contentId },
        instructions: { kind: "git", gitUpdates: [{ mapping, content: before, from: null }] },
      }),
    );
    git.set({
      "src/main.js": "console.log('changed')\n",
      "src/old.js": null,
      "src/added/new.js": "new\n",
      "bin/run": null,
      "bin/run/inside": "a file where a file was\n",
    });
    const after = await git.content(mapping);
    const patch = await builder.build(
      stageRequest(project, {
        stage: "gitLatestPatch",
        base: archive.signature,
        carried: { [mapping.id]: after.contentId },
        instructions: { kind: "git", gitUpdates: [{ mapping, content: after, from: before.contentId as ContentId }] },
      }),
    );
    expect(listing(patch.signature, "/app")).toEqual([
      "1000 1000 755 directory /app",
      "1000 1000 755 directory /app/bin",
      "1000 1000 755 directory /app/bin/run",
      "1000 1000 644 regular file /app/bin/run/inside",
      "1000 1000 644 regular file /app/package.json",
      "1000 1000 755 directory /app/src",
      "1000 1000 755 directory /app/src/added",
      "1000 1000 644 regular file /app/src/added/new.js",
      "1000 1000 644 regular file /app/src/main.js",
    ]);
    expect(run(patch.signature, "cat /app/src/main.js")).toBe("console.log('changed')\n");
  });

  it("puts the whole mapping and removes nothing when the source cannot diff (previous content unknown here)", async () => {
    git.reset({ "package.json": "{}\n", "src/a.js": "a\n", "src/b.js": "b\n" });
    const from = await fromBase();
    const before = await git.content(mapping);
    const archive = await builder.build(
      stageRequest(project, {
        stage: "gitArchive",
        base: from.signature,
        instructions: { kind: "git", gitUpdates: [{ mapping, content: before, from: null }] },
      }),
    );
    const install = await builder.build(
      stageRequest(project, {
        stage: "install",
        base: archive.signature,
        instructions: {
          kind: "shell",
          gitUpdates: [],
          commands: ["echo built > /app/notes.md", "mkdir /app/dist && echo x > /app/dist/x"],
        },
      }),
    );
    git.set({ "src/b.js": null, "src/c.js": "c\n" });
    git.forget();
    const after = await git.content(mapping);
    const events: BuilderEvent[] = [];
    const patch = await builder.build(
      stageRequest(project, {
        stage: "gitLatestPatch",
        base: install.signature,
        instructions: { kind: "git", gitUpdates: [{ mapping, content: after, from: before.contentId }] },
        events,
      }),
    );
    const output = events.flatMap((event) => (event.type === "output" ? [event.text] : []));
    const files = run(patch.signature, "cd /app && find . -type f | sort").trim().split("\n");
    // c.js is put; b.js stays: without the previous file list, what install/setup made under `to`
    // cannot be told from files git deleted, and build output must never be lost.
    expect(files).toEqual(["./dist/x", "./notes.md", "./package.json", "./src/a.js", "./src/b.js", "./src/c.js"]);
    expect(output.join("")).toContain("is unknown on this host: putting every file, removing none");
  });

  it("brings the mapping up to date before a user stage's commands run", async () => {
    git.reset({ "package.json": '{"version":1}\n' });
    const from = await fromBase();
    const before = await git.content(mapping);
    const archive = await builder.build(
      stageRequest(project, {
        stage: "gitArchive",
        base: from.signature,
        instructions: { kind: "git", gitUpdates: [{ mapping, content: before, from: null }] },
      }),
    );
    git.set({ "package.json": '{"version":2}\n' });
    const after = await git.content(mapping);
    const events: BuilderEvent[] = [];
    const install = await builder.build(
      stageRequest(project, {
        stage: "install",
        base: archive.signature,
        carried: { [mapping.id]: after.contentId },
        events,
        instructions: {
          kind: "shell",
          commands: ["cat /app/package.json"],
          gitUpdates: [{ mapping, content: after, from: before.contentId }],
        },
      }),
    );
    expect(events.map((event) => (event.type === "output" ? event.text : "")).join("")).toBe('{"version":2}\n');
    expect(install.carried).toEqual({ [mapping.id]: after.contentId });
  });

  it("fails clearly when the owner does not exist in the image", async () => {
    const from = await fromBase();
    const unknownOwner = gitMapping({ id: "git-1", to: "/srv", owner: "nobody-here", includePaths: ["package.json"] });
    const content = await git.content(unknownOwner);
    const request = stageRequest(project, {
      stage: "gitArchive",
      base: from.signature,
      instructions: { kind: "git", gitUpdates: [{ mapping: unknownOwner, content, from: null }] },
    });
    await expect(builder.build(request)).rejects.toThrow(/user "nobody-here" does not exist/);
    expect(engine.containersNamed(`stages-build-${request.signature.slice(0, 12)}`)).toEqual([]);
  });
});

describe("imports", () => {
  it("copies files out of another image's stage with include/exclude, owner and group", async () => {
    const from = await fromBase();
    const artifact = await builder.build(
      stageRequest(project, {
        stage: "install",
        image: "tools",
        base: from.signature,
        instructions: {
          kind: "shell",
          gitUpdates: [],
          commands: [
            "mkdir -p /opt/tool/bin /opt/tool/lib/sub /opt/tool/doc",
            "printf '#!/bin/sh\\necho tool\\n' > /opt/tool/bin/tool && chmod 755 /opt/tool/bin/tool",
            "echo lib > /opt/tool/lib/sub/x.so && echo readme > /opt/tool/lib/README.md",
            "echo doc > /opt/tool/doc/guide.txt",
            "ln -s tool /opt/tool/bin/tool-link",
          ],
        },
      }),
    );
    const target = await fromBase();
    const stage = await builder.build(
      stageRequest(project, {
        stage: "importsAfterInstall",
        base: target.signature,
        instructions: {
          kind: "imports",
          dependencies: [],
          imports: [
            {
              source: artifact.signature,
              external: null,
              spec: importSpec({
                from: "tools",
                add: "/opt/tool",
                to: "/usr/local/tool",
                includePaths: ["bin", "lib"],
                excludePaths: ["**/*.md"],
                owner: "app",
                group: "staff",
              }),
            },
            {
              source: artifact.signature,
              external: null,
              spec: importSpec({ from: "tools", add: "/opt/tool/bin/tool", to: "/usr/local/bin/tool" }),
            },
          ],
        },
      }),
    );
    expect(listing(stage.signature, "/usr/local/tool")).toEqual([
      "1000 50 755 directory /usr/local/tool",
      "1000 50 755 directory /usr/local/tool/bin",
      "1000 50 755 regular file /usr/local/tool/bin/tool",
      "1000 50 777 symbolic link /usr/local/tool/bin/tool-link",
      "1000 50 755 directory /usr/local/tool/lib",
      "1000 50 755 directory /usr/local/tool/lib/sub",
      "1000 50 644 regular file /usr/local/tool/lib/sub/x.so",
    ]);
    // A single file lands at `to`; the existing /usr/local/bin keeps its owner.
    expect(listing(stage.signature, "/usr/local/bin")).toEqual([
      "0 0 755 directory /usr/local/bin",
      "0 0 755 regular file /usr/local/bin/tool",
    ]);
    expect(run(stage.signature, "/usr/local/tool/bin/tool-link")).toBe("tool\n");
    expect(engine.containersNamed(`stages-import-${stage.signature.slice(0, 12)}`)).toEqual([]);
  });

  it("fails clearly when `add` does not exist in the source", async () => {
    const from = await fromBase();
    const request = stageRequest(project, {
      stage: "importsBeforeSetup",
      base: from.signature,
      instructions: {
        kind: "imports",
        dependencies: [],
        imports: [
          {
            source: from.signature,
            external: null,
            spec: importSpec({ from: "tools", add: "/no/such/dir", to: "/x" }),
          },
        ],
      },
    });
    await expect(builder.build(request)).rejects.toThrow(
      /"\/no\/such\/dir" does not exist in the last stage of "tools"/,
    );
  });
});

describe("docker instructions", () => {
  it("commits ENV, LABEL, EXPOSE, VOLUME, WORKDIR, USER, CMD, ENTRYPOINT and HEALTHCHECK", async () => {
    const from = await fromBase();
    const docker = await builder.build(
      stageRequest(project, {
        stage: "dockerInstructions",
        base: from.signature,
        instructions: {
          kind: "docker",
          instructions: {
            ...emptyDockerInstructions(),
            ENV: { NODE_ENV: "production", PATH: "/app/bin:$PATH" },
            // biome-ignore lint/suspicious/noTemplateCurlyInString: a Dockerfile variable
            LABEL: { team: "taxi", "org.example.env": "${NODE_ENV}" },
            EXPOSE: ["8080", "53/udp"],
            VOLUME: ["/data"],
            WORKDIR: "/app",
            USER: "app",
            CMD: ["serve", "--port", "8080"],
            ENTRYPOINT: ["/bin/sh", "-c", 'echo "$0 $@"'],
            HEALTHCHECK: "--interval=5s --retries=2 CMD wget -q -O- http://localhost:8080/health",
          },
        },
      }),
    );
    const image = await inspectImage(engine.connection, localStageName(project, docker.signature));
    expect(image?.config).toEqual({
      user: "app",
      env: ["PATH=/app/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "NODE_ENV=production"],
      cmd: ["serve", "--port", "8080"],
      entrypoint: ["/bin/sh", "-c", 'echo "$0 $@"'],
      workingDir: "/app",
      exposedPorts: ["53/udp", "8080/tcp"],
      volumes: ["/data"],
      healthcheck: {
        Test: ["CMD-SHELL", "wget -q -O- http://localhost:8080/health"],
        Interval: 5_000_000_000,
        Retries: 2,
      },
    });
    expect(image?.labels.team).toBe("taxi");
    expect(image?.labels["org.example.env"]).toBe("production");
    expect(engine.docker(["run", "--rm", "--network", "none", localStageName(project, docker.signature)])).toBe(
      "serve --port 8080\n",
    );

    // A stage on top (fromImage) keeps user labels; the io.stages.* labels are its own.
    const next = await builder.build(
      stageRequest(project, {
        stage: "from",
        image: "child",
        instructions: { kind: "from", base: { type: "stage", signature: docker.signature } },
      }),
    );
    const child = await inspectImage(engine.connection, localStageName(project, next.signature));
    expect(child?.labels.team).toBe("taxi");
    expect(child?.labels[stageLabels.image]).toBe("child");
    expect(child?.labels[stageLabels.signature]).toBe(next.signature);
    expect(next.parent).toBeNull();
    expect(child?.labels[stageLabels.parent]).toBe("");
    expect(child?.config.cmd).toEqual(["serve", "--port", "8080"]);
    expect(child?.config.user).toBe("app");

    // Commands of a stage on top run as root even when the image's USER is app; USER stays app.
    const events: BuilderEvent[] = [];
    const shell = await builder.build(
      stageRequest(project, {
        stage: "beforeInstall",
        image: "child",
        base: next.signature,
        events,
        instructions: { kind: "shell", gitUpdates: [], commands: ["id -u", "pwd"] },
      }),
    );
    expect(events.map((event) => (event.type === "output" ? event.text : "")).join("")).toBe("0\n/app\n");
    const shellImage = await inspectImage(engine.connection, localStageName(project, shell.signature));
    expect(shellImage?.config.user).toBe("app");
    expect(shellImage?.config.entrypoint).toEqual(["/bin/sh", "-c", 'echo "$0 $@"']);
    expect(shellImage?.config.cmd).toEqual(["serve", "--port", "8080"]);
  });
});

describe("base stages", () => {
  it("fails with StageMissingError naming the base when it is not in the engine", async () => {
    const request = stageRequest(project, {
      stage: "install",
      base: randomSignature(),
      instructions: { kind: "shell", gitUpdates: [], commands: ["true"] },
    });
    await expect(builder.build(request)).rejects.toThrow(/base image stages-storage\/.* is not in the engine/);
  });
});
