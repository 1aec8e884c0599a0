// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is Dockerfile variable syntax here.

import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DockerfileConfigChange, Signature } from "@stages/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importRootfs, inspectImage } from "../src/index.js";
import { configStep, DockerfileChain, runStep } from "./dockerfile-chain.js";
import type { TestEngine } from "./engine.js";
import { makeBusyboxRootfs, startTestEngine } from "./engine.js";

const baseImage = process.env.STAGES_TEST_BASE_IMAGE ?? "";
const base = { type: "image" as const, reference: baseImage, digest: null };
let engine: TestEngine;
let chain: DockerfileChain;

beforeAll(async () => {
  if (!baseImage) throw new Error("STAGES_TEST_BASE_IMAGE is required (run it under the test environment)");
  engine = await startTestEngine();
  chain = new DockerfileChain(engine);
});

afterAll(async () => {
  await chain?.cleanup();
  await engine?.stop();
});

const last = (signatures: Signature[]) => signatures.at(-1) as Signature;
const seconds = (value: number) => value * 1e9;

/** Each metadata instruction as the evaluator gives it, with the Dockerfile line BuildKit reads. */
const cases: [string, DockerfileConfigChange[], string[]][] = [
  [
    "ENV appends and replaces in order",
    [
      {
        keyword: "ENV",
        env: [
          ["A", "1"],
          ["PATH", "/opt/bin:/bin"],
        ],
      },
      {
        keyword: "ENV",
        env: [
          ["B", "two words"],
          ["A", "3"],
        ],
      },
    ],
    ["ENV A=1 PATH=/opt/bin:/bin", 'ENV B="two words" A=3'],
  ],
  [
    "LABEL",
    [
      {
        keyword: "LABEL",
        labels: [
          ["team", "taxi"],
          ["multi", "a b"],
        ],
      },
      { keyword: "LABEL", labels: [["team", "bus"]] },
    ],
    ['LABEL team=taxi multi="a b"', "LABEL team=bus"],
  ],
  [
    "WORKDIR absolute, relative, existing, and made by the USER in effect",
    [
      { keyword: "WORKDIR", path: "/srv/app" },
      { keyword: "WORKDIR", path: "sub/../lib" },
      { keyword: "USER", user: "app:root" },
      { keyword: "WORKDIR", path: "/data/owned" },
      { keyword: "WORKDIR", path: "/tmp" },
    ],
    ["WORKDIR /srv/app", "WORKDIR sub/../lib", "USER app:root", "WORKDIR /data/owned", "WORKDIR /tmp"],
  ],
  ["USER", [{ keyword: "USER", user: "1000" }], ["USER 1000"]],
  [
    "EXPOSE and VOLUME",
    [
      { keyword: "EXPOSE", ports: ["80/tcp", "53/udp", "8000/tcp", "8001/tcp"] },
      { keyword: "VOLUME", paths: ["/data", "/cache"] },
    ],
    ["EXPOSE 80 53/udp 8000-8001", 'VOLUME ["/data", "/cache"]'],
  ],
  [
    "CMD in shell and exec form",
    [
      { keyword: "CMD", command: ["echo hi"], shellForm: true, shell: null },
      { keyword: "CMD", command: ["sh", "-c", "echo"], shellForm: false, shell: null },
    ],
    ["CMD echo hi", 'CMD ["sh", "-c", "echo"]'],
  ],
  [
    "ENTRYPOINT clears the CMD from before the build stage",
    [{ keyword: "ENTRYPOINT", command: ["run me"], shellForm: true, shell: null }],
    ["ENTRYPOINT run me"],
  ],
  [
    "ENTRYPOINT keeps a CMD of the same build stage",
    [
      { keyword: "CMD", command: ["--fast"], shellForm: false, shell: null },
      { keyword: "ENTRYPOINT", command: ["/bin/echo"], shellForm: false, shell: null, keepCmd: true },
    ],
    ['CMD ["--fast"]', 'ENTRYPOINT ["/bin/echo"]'],
  ],
  [
    "SHELL, then CMD in shell form uses it",
    [
      { keyword: "SHELL", shell: ["/bin/sh", "-e", "-c"] },
      { keyword: "CMD", command: ["echo hi"], shellForm: true, shell: ["/bin/sh", "-e", "-c"] },
    ],
    ['SHELL ["/bin/sh", "-e", "-c"]', "CMD echo hi"],
  ],
  [
    "HEALTHCHECK with options",
    [
      {
        keyword: "HEALTHCHECK",
        healthcheck: {
          test: ["CMD-SHELL", "wget -q localhost"],
          interval: seconds(5),
          timeout: seconds(2),
          startPeriod: seconds(1),
          startInterval: 0,
          retries: 4,
        },
      },
    ],
    ["HEALTHCHECK --interval=5s --timeout=2s --start-period=1s --retries=4 CMD wget -q localhost"],
  ],
  [
    "HEALTHCHECK NONE",
    [
      {
        keyword: "HEALTHCHECK",
        healthcheck: { test: ["NONE"], interval: 0, timeout: 0, startPeriod: 0, startInterval: 0, retries: 0 },
      },
    ],
    ["HEALTHCHECK NONE"],
  ],
  ["STOPSIGNAL", [{ keyword: "STOPSIGNAL", signal: "SIGQUIT" }], ["STOPSIGNAL SIGQUIT"]],
  [
    "ONBUILD is recorded",
    [
      { keyword: "ONBUILD", trigger: "RUN make" },
      { keyword: "ONBUILD", trigger: "COPY . /src" },
    ],
    ["ONBUILD RUN make", "ONBUILD COPY . /src"],
  ],
  [
    "MAINTAINER",
    [{ keyword: "MAINTAINER", author: "Jane <jane@example.com>" }],
    ["MAINTAINER Jane <jane@example.com>"],
  ],
];

describe("metadata instructions equal BuildKit", () => {
  for (const [name, changes, lines] of cases) {
    it(name, async () => {
      const stages = await chain.build(base, changes.map(configStep));
      await chain.expectSameAsBuildKit(last(stages), [`FROM ${baseImage}`, ...lines, ""].join("\n"));
    });
  }

  it("a RUN after metadata instructions keeps their config (ENV in the command, CMD kept, Author kept)", async () => {
    const stages = await chain.build(base, [
      configStep({ keyword: "MAINTAINER", author: "Jane" }),
      configStep({ keyword: "ENV", env: [["GREETING", "hello"]] }),
      configStep({ keyword: "CMD", command: ["sh"], shellForm: false, shell: null }),
      configStep({ keyword: "USER", user: "app" }),
      runStep("echo $GREETING > /tmp/greeting"),
    ]);
    await chain.expectSameAsBuildKit(
      last(stages),
      `FROM ${baseImage}\nMAINTAINER Jane\nENV GREETING=hello\nCMD ["sh"]\nUSER app\nRUN echo $GREETING > /tmp/greeting\n`,
    );
    const raw = JSON.parse(engine.docker(["image", "inspect", chain.image(last(stages))])) as [{ Author: string }];
    expect(raw[0].Author).toBe("Jane");
  });

  it("a metadata stage adds no files and carries the stage labels", async () => {
    const stages = await chain.build(base, [configStep({ keyword: "LABEL", labels: [["io.stages.stage", "mine"]] })]);
    const inspected = await inspectImage(engine.connection, chain.image(last(stages)));
    expect(inspected?.labels["io.stages.signature"]).toBe(last(stages));
    expect(inspected?.labels["io.stages.stage"]).toBe("LABEL");
  });
});

describe("a base whose WorkingDir does not exist", () => {
  // (A container made for the comparison creates the WorkingDir, so only what a RUN sees is compared.)
  it("a RUN there equals BuildKit's", async () => {
    const rootfs = mkdtempSync(join(tmpdir(), "stages-missing-wd-"));
    const reference = `stages-docker-test/missing-workdir:${randomBytes(3).toString("hex")}`;
    try {
      makeBusyboxRootfs(rootfs);
      await importRootfs(engine.connection, { rootfs, reference, changes: ["WORKDIR /missing/dir", "ENV PATH=/bin"] });
      const from = { type: "image" as const, reference, digest: null };
      const run = await chain.build(from, [runStep("pwd > /pwd.txt")]);
      await chain.expectSameAsBuildKit(last(run), `FROM ${reference}\nRUN pwd > /pwd.txt\n`);
    } finally {
      rmSync(rootfs, { recursive: true, force: true });
      engine.docker(["rmi", "-f", reference]);
    }
  });
});

describe("late steps", () => {
  it("are completed against the base image's ENV (a variable only the base defines)", async () => {
    const late = (step: ReturnType<typeof configStep>) => ({ ...step, late: true });
    const stages = await chain.build(base, [
      late(configStep({ keyword: "ENV", env: [["PATH", "/opt/bin:$PATH"]] })),
      late(configStep({ keyword: "LABEL", labels: [["path", "${PATH}"]] })),
      runStep("echo $PATH > /path.txt"),
    ]);
    await chain.expectSameAsBuildKit(
      last(stages),
      `FROM ${baseImage}\nENV PATH=/opt/bin:$PATH\nLABEL path=\${PATH}\nRUN echo $PATH > /path.txt\n`,
    );
  });
});

describe("FROM scratch", () => {
  it("an empty base: metadata on it equals BuildKit's", async () => {
    const stages = await chain.build({ type: "scratch" }, [
      configStep({ keyword: "ENV", env: [["A", "1"]] }),
      configStep({ keyword: "CMD", command: ["/app"], shellForm: false, shell: null }),
    ]);
    await chain.expectSameAsBuildKit(last(stages), 'FROM scratch\nENV A=1\nCMD ["/app"]\n');
  });

  it("FROM scratch alone, and a WORKDIR on it", async () => {
    const [only] = await chain.build({ type: "scratch" }, []);
    await chain.expectSameAsBuildKit(only as Signature, "FROM scratch\n");
    const stages = await chain.build({ type: "scratch" }, [configStep({ keyword: "WORKDIR", path: "/app/data" })]);
    await chain.expectSameAsBuildKit(last(stages), "FROM scratch\nWORKDIR /app/data\n");
  });
});
