import type { BuilderEvent, ContentId, Signature } from "@stages/core";
import { AbortedError, StageBuildError } from "@stages/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspectImage } from "../src/index.js";
import { configStep, DockerfileChain, runStep } from "./dockerfile-chain.js";
import type { TestEngine } from "./engine.js";
import { startTestEngine } from "./engine.js";
import { stageRequest } from "./stage-requests.js";

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

describe("RUN equals BuildKit", () => {
  it("shell form", async () => {
    const stages = await chain.build(base, [
      runStep("echo hi > /hello && mkdir -p /a/b && ln -s /hello /a/link && chmod 600 /hello"),
    ]);
    await chain.expectSameAsBuildKit(
      last(stages),
      `FROM ${baseImage}\nRUN echo hi > /hello && mkdir -p /a/b && ln -s /hello /a/link && chmod 600 /hello\n`,
    );
  });

  it("the host name is BuildKit's", async () => {
    const stages = await chain.build(base, [runStep("hostname > /h")]);
    await chain.expectSameAsBuildKit(last(stages), `FROM ${baseImage}\nRUN hostname > /h\n`);
  });

  it("exec form, and the base's CMD and ENTRYPOINT kept", async () => {
    const stages = await chain.build(base, [
      configStep({ keyword: "ENTRYPOINT", command: ["/bin/echo"], shellForm: false, shell: null }),
      configStep({ keyword: "CMD", command: ["hello"], shellForm: false, shell: null }),
      runStep(["/bin/sh", "-c", "echo exec $0 > /exec.txt", "zero"]),
    ]);
    await chain.expectSameAsBuildKit(
      last(stages),
      `FROM ${baseImage}\nENTRYPOINT ["/bin/echo"]\nCMD ["hello"]\nRUN ["/bin/sh", "-c", "echo exec $0 > /exec.txt", "zero"]\n`,
    );
  });

  it("SHELL in JSON form runs the shell form after it", async () => {
    const shell = ["/bin/sh", "-e", "-x", "-c"];
    const stages = await chain.build(base, [
      configStep({ keyword: "SHELL", shell }),
      runStep("echo shell > /shell.txt; echo $- >> /shell.txt", { shell }),
    ]);
    await chain.expectSameAsBuildKit(
      last(stages),
      `FROM ${baseImage}\nSHELL ["/bin/sh", "-e", "-x", "-c"]\nRUN echo shell > /shell.txt; echo $- >> /shell.txt\n`,
    );
  });

  it("ARGs are in the command's environment, ENV wins over an ARG, and no ARG reaches the image", async () => {
    const events: BuilderEvent[] = [];
    const stages = await chain.build(
      base,
      [
        configStep({ keyword: "ENV", env: [["B", "from-env"]] }),
        runStep('echo "A=$A B=$B C=$C" > /args.txt; echo printed-$A', {
          args: [
            ["A", "one two"],
            ["B", "from-arg"],
            ["C", 'it\'s "quoted" $HOME'],
          ],
        }),
      ],
      { events },
    );
    await chain.expectSameAsBuildKit(
      last(stages),
      [
        `FROM ${baseImage}`,
        `ARG A="one two"`,
        "ARG B=from-arg",
        "ARG C",
        "ENV B=from-env",
        `RUN echo "A=$A B=$B C=$C" > /args.txt; echo printed-$A`,
        "",
      ].join("\n"),
      { args: { C: `it's "quoted" $HOME` } },
    );
    const output = events.map((event) => (event.type === "output" ? event.text : "")).join("");
    expect(output).toContain("printed-one two");
    expect(output).not.toContain("Step ");
  });

  it("USER and a WORKDIR that does not exist yet", async () => {
    const stages = await chain.build(base, [
      configStep({ keyword: "USER", user: "app" }),
      configStep({ keyword: "WORKDIR", path: "/w/x" }),
      runStep("id -u > out.txt; id -g >> out.txt; pwd >> out.txt; touch /tmp/mine"),
      configStep({ keyword: "WORKDIR", path: "rel/sub" }),
      runStep("pwd > here.txt"),
    ]);
    await chain.expectSameAsBuildKit(
      last(stages),
      `FROM ${baseImage}\nUSER app\nWORKDIR /w/x\nRUN id -u > out.txt; id -g >> out.txt; pwd >> out.txt; touch /tmp/mine\nWORKDIR rel/sub\nRUN pwd > here.txt\n`,
    );
  });

  it("addHost is in /etc/hosts while the command runs, and not in the image", async () => {
    const stages = await chain.build(base, [runStep("grep myhost /etc/hosts > /hosts.txt")], {
      addHost: ["myhost:10.1.2.3"],
    });
    await chain.expectSameAsBuildKit(last(stages), `FROM ${baseImage}\nRUN grep myhost /etc/hosts > /hosts.txt\n`, {
      addHost: ["myhost:10.1.2.3"],
    });
  });

  it("addHost with build args (the engine builder's path)", async () => {
    const stages = await chain.build(
      base,
      [runStep("grep $NAME /etc/hosts > /hosts.txt", { args: [["NAME", "other"]] })],
      {
        addHost: ["other:10.9.8.7"],
      },
    );
    await chain.expectSameAsBuildKit(
      last(stages),
      `FROM ${baseImage}\nARG NAME=other\nRUN grep $NAME /etc/hosts > /hosts.txt\n`,
      { addHost: ["other:10.9.8.7"] },
    );
  });

  // This engine's BuildKit (20.10) predates here-documents: each is compared with the Dockerfile
  // BuildKit's own translation of it amounts to.
  it("here-documents: a script, a document fed to a command, a #! script", async () => {
    const stages = await chain.build(base, [
      runStep("<<EOF", {
        heredocs: [{ name: "EOF", content: "echo one > /h1\necho two >> /h1\n", expand: true, chomp: false }],
      }),
      runStep("cat <<EOF > /h2", {
        heredocs: [{ name: "EOF", content: "body $HOME\nline 2\n", expand: true, chomp: false }],
      }),
      runStep("<<SCRIPT", {
        heredocs: [{ name: "SCRIPT", content: "#!/bin/sh -e\necho shebang $0 > /h3\n", expand: true, chomp: false }],
      }),
    ]);
    await chain.expectSameAsBuildKit(
      last(stages),
      [
        `FROM ${baseImage}`,
        "RUN echo one > /h1 && echo two >> /h1",
        `RUN printf 'body /root\\nline 2\\n' > /h2`,
        "RUN echo shebang /dev/pipes/SCRIPT > /h3",
        "",
      ].join("\n"),
    );
  });
});

describe("RUN --network", () => {
  it("a step's network wins over the builder's (none here), in a container and with build args", async () => {
    const count = "ls /sys/class/net | wc -l > /interfaces";
    for (const args of [[], [["A", "1"]]] as [string, string][][]) {
      const none = await chain.build(base, [runStep(count, { args })]);
      const host = await chain.build(base, [runStep(count, { args, network: "host" })]);
      const read = (signature: Signature) =>
        Number(engine.docker(["run", "--rm", "--entrypoint", "cat", chain.image(signature), "/interfaces"]).trim());
      expect(read(last(none))).toBe(1);
      expect(read(last(host))).toBeGreaterThan(1);
    }
  });
});

describe("RUN after ONBUILD", () => {
  it("a RUN with build args after ONBUILD runs no trigger and keeps them recorded", async () => {
    const stages = await chain.build(base, [
      configStep({ keyword: "ONBUILD", trigger: "RUN touch /triggered" }),
      runStep("echo $A > /a.txt", { args: [["A", "1"]] }),
      runStep("echo plain > /b.txt"),
    ]);
    await chain.expectSameAsBuildKit(
      last(stages),
      `FROM ${baseImage}\nONBUILD RUN touch /triggered\nARG A=1\nRUN echo $A > /a.txt\nRUN echo plain > /b.txt\n`,
    );
  });
});

describe("RUN stage labels", () => {
  it("a RUN with build args carries exactly the stage labels, quotes and dollars included, and blanks the base's", async () => {
    const [from] = await chain.build(base, []);
    const request = stageRequest(chain.project, {
      stage: "RUN",
      base: from as Signature,
      carried: { "git-a": '{"x":"$HOME \\ y"}' as ContentId },
      instructions: {
        kind: "dockerfile",
        step: runStep("true", { args: [["A", "1"]] }),
        escape: "\\",
        context: null,
        copyFrom: null,
        addHost: [],
      },
    });
    await chain.builder.build(request);
    const labels = (await inspectImage(engine.connection, chain.image(request.signature)))?.labels ?? {};
    const stages = Object.fromEntries(Object.entries(labels).filter(([key]) => key.startsWith("io.stages.")));
    const expected: Record<string, string> = { ...request.labels };
    // The from stage's labels the RUN stage lacks read as "" (labels cannot be removed).
    for (const key of Object.keys(stages)) expected[key] ??= "";
    expect(stages).toEqual(expected);
    expect(labels["io.stages.carried"]).toContain("$HOME \\\\ y");
  });
});

describe("RUN failures", () => {
  async function expectNothingLeft(signature: Signature): Promise<void> {
    expect(await chain.storage.has(signature)).toBe(false);
    expect(engine.containersNamed(`stages-build-${signature.slice(0, 12)}`)).toEqual([]);
    const labelled = engine.docker(["images", "-a", "-q", "--filter", `label=io.stages.signature=${signature}`]);
    expect(labelled.trim()).toBe("");
    // The engine builder's containers are its own: none may still run (or exist for) this command.
    expect(engine.docker(["ps", "-a", "--no-trunc", "--format", "{{.Command}}"])).not.toContain(signature.slice(0, 16));
  }

  for (const [name, args] of [
    ["in a container", [] as [string, string][]],
    ["with build args", [["X", "1"]] as [string, string][]],
  ] as const) {
    it(`a failing RUN ${name} is located, with exit code and tail, and leaves nothing`, async () => {
      const [from] = await chain.build(base, []);
      const step = runStep("for i in $(seq 1 30); do echo line-$i; done; sleep 0.2; echo boom >&2; exit 3", { args });
      const { signature, result } = chain.step(from as Signature, step);
      const failure = await result;
      expect(StageBuildError.isInstance(failure)).toBe(true);
      const message = (failure as Error).message;
      expect(message).toContain(`Dockerfile:${step.location.line}`);
      expect(message).toContain("code 3");
      expect(message).toContain("boom");
      expect(message).toContain("line-30");
      expect(message).not.toContain("line-5\n");
      expect((failure as { hint?: string }).hint).toContain(`fix the instruction at Dockerfile:${step.location.line}`);
      await expectNothingLeft(signature);
    });

    it(`a cancelled RUN ${name} stops at once and leaves nothing`, async () => {
      const [from] = await chain.build(base, []);
      const controller = new AbortController();
      const events: BuilderEvent[] = [];
      const marker = `sleep-${Math.random().toString(36).slice(2, 10)}`;
      const { signature, result } = chain.step(
        from as Signature,
        runStep(`echo started; sleep 20 # ${marker}`, { args }),
        {
          events,
          signal: controller.signal,
        },
      );
      const started = Date.now();
      while (!events.some((event) => event.type === "output" && event.text.includes("started"))) {
        if (Date.now() - started > 20_000) throw new Error("the command never started");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      controller.abort();
      const failure = await result;
      expect(AbortedError.isInstance(failure)).toBe(true);
      expect(Date.now() - started).toBeLessThan(15_000);
      await expectNothingLeft(signature);
      expect(engine.docker(["ps", "-a", "--no-trunc", "--format", "{{.Command}}"])).not.toContain(marker);
    });
  }
});
