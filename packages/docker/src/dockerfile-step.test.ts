import type { DockerfileStep } from "@stages/core";
import { describe, expect, it } from "vitest";
import { argsForEnv, labelLine, runCommandOf, userIds } from "./dockerfile-step.js";
import { parseAccounts } from "./ownership.js";

type RunStep = Extract<DockerfileStep, { op: "run" }>;

function run(command: string | string[], fields: Partial<RunStep> = {}): RunStep {
  return {
    op: "run",
    location: { file: "Dockerfile", line: 3, column: 1 },
    command: typeof command === "string" ? [command] : command,
    shellForm: typeof command === "string",
    shell: null,
    heredocs: [],
    args: [],
    network: null,
    late: false,
    ...fields,
  };
}

const doc = (name: string, content: string) => ({ name, content, expand: true, chomp: false });

describe("runCommandOf", () => {
  it("runs the exec form as is and the shell form with SHELL, the image's Shell, else /bin/sh -c", () => {
    expect(runCommandOf(run(["a", "b c"]), { Shell: ["/bin/bash", "-c"] })).toEqual(["a", "b c"]);
    expect(runCommandOf(run("make all"), {})).toEqual(["/bin/sh", "-c", "make all"]);
    expect(runCommandOf(run("make all"), { Shell: ["/bin/bash", "-c"] })).toEqual(["/bin/bash", "-c", "make all"]);
    expect(runCommandOf(run("make", { shell: ["/bin/ash", "-e", "-c"] }), { Shell: ["/bin/bash", "-c"] })).toEqual([
      "/bin/ash",
      "-e",
      "-c",
      "make",
    ]);
  });

  it("runs a command that is only a here-document as the script", () => {
    const step = run("<<EOF", { heredocs: [doc("EOF", "echo one\necho two\n")] });
    expect(runCommandOf(step, {})).toEqual(["/bin/sh", "-c", "echo one\necho two\n"]);
    const quoted = run('<<-"END"', { heredocs: [doc("END", "echo $HOME\n")] });
    expect(runCommandOf(quoted, {})).toEqual(["/bin/sh", "-c", "echo $HOME\n"]);
  });

  it("writes other here-documents back after the command line for the shell", () => {
    const step = run("cat <<A > /a && cat <<B > /b", { heredocs: [doc("A", "first\n"), doc("B", "second\n")] });
    expect(runCommandOf(step, {})).toEqual(["/bin/sh", "-c", "cat <<A > /a && cat <<B > /b\nfirst\nA\nsecond\nB"]);
  });

  it("gives a #! script to its interpreter inline, and refuses one it cannot", () => {
    const script = "#!/usr/bin/env python3\nprint(1)\n";
    expect(runCommandOf(run("<<EOF", { heredocs: [doc("EOF", script)] }), {})).toEqual([
      "/usr/bin/env",
      "python3",
      "-c",
      script,
    ]);
    const shell = "#!/bin/bash -eu\necho x\n";
    expect(runCommandOf(run("<<EOF", { heredocs: [doc("EOF", shell)] }), {})).toEqual([
      "/bin/bash",
      "-eu",
      "-c",
      shell,
      "/dev/pipes/EOF",
    ]);
    expect(() => runCommandOf(run("<<EOF", { heredocs: [doc("EOF", "#!/usr/bin/awk -f\n{}\n")] }), {})).toThrow(
      /Dockerfile:3: a RUN here-document run by "\/usr\/bin\/awk -f" is not supported/,
    );
  });
});

describe("argsForEnv", () => {
  it("keeps the ARGs the image's ENV does not define, the last value of a name winning", () => {
    expect(
      argsForEnv(
        [
          ["A", "1"],
          ["PATH", "/x"],
          ["B", "2"],
          ["A", "3"],
        ],
        ["PATH=/bin", "HOME=/root"],
      ),
    ).toEqual([
      ["A", "3"],
      ["B", "2"],
    ]);
    expect(argsForEnv([], null)).toEqual([]);
  });
});

describe("userIds", () => {
  const accounts = parseAccounts(
    "root:x:0:0::/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n",
    "root:x:0:\nweb:x:33:\n",
  );
  const step = run("true");
  const job = { subject: "stage WORKDIR" };

  it("resolves names and ids; a name alone brings its primary group, a number alone is also the group", () => {
    expect(userIds("app", accounts, job, step)).toEqual({ uid: 1000, gid: 1001 });
    expect(userIds("app:web", accounts, job, step)).toEqual({ uid: 1000, gid: 33 });
    expect(userIds("1000", accounts, job, step)).toEqual({ uid: 1000, gid: 1000 });
    expect(userIds("4242:7", accounts, job, step)).toEqual({ uid: 4242, gid: 7 });
    expect(userIds("4242", accounts, job, step)).toEqual({ uid: 4242, gid: 4242 });
  });

  it("names what is missing", () => {
    expect(() => userIds("nobody", accounts, job, step)).toThrow(/user "nobody" of USER is not in \/etc\/passwd/);
    expect(() => userIds("app:staff", accounts, job, step)).toThrow(/group "staff" of USER is not in \/etc\/group/);
  });
});

describe("labelLine", () => {
  it("quotes keys and values so that nothing is expanded or unescaped", () => {
    expect(labelLine({ "io.stages.carried": '{"m":"a$b\\c"}', empty: "" })).toBe(
      'LABEL "io.stages.carried"="{\\"m\\":\\"a\\$b\\\\c\\"}" "empty"=""',
    );
  });
});
