// The completion script as a user installs it (`stages completion bash` sourced in a real bash), with
// the built stages on PATH answering each Tab.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { binary } from "./helpers.js";
import { temporaryDirectory } from "./temporary.js";

let directory: string;

beforeAll(() => {
  directory = temporaryDirectory("stages-completion-");
  mkdirSync(join(directory, "bin"));
  writeFileSync(join(directory, "bin", "stages"), `#!/bin/sh\nexec "${process.execPath}" "${binary}" "$@"\n`);
  chmodSync(join(directory, "bin", "stages"), 0o755);
  mkdirSync(join(directory, "project"));
  writeFileSync(
    join(directory, "project", "stages.yaml"),
    "project: taxi\nconfigVersion: 1\n---\nimage: backend\nfrom: alpine:3.20\n---\nimage: billing\nfrom: alpine:3.20\n",
  );
  // As ~/.bashrc would: the script is made once, then each Tab asks stages.
  const script = spawnSync(process.execPath, [binary, "completion", "bash"], { encoding: "utf8" });
  expect(script.status, script.stderr).toBe(0);
  writeFileSync(join(directory, "stages.bash"), script.stdout);
});

/** COMPREPLY of bash for `stages WORDS<Tab>`, the last word being the one completed. */
function completeInBash(...words: string[]): string[] {
  const result = spawnSync(
    "bash",
    [
      "-c",
      `source "${join(directory, "stages.bash")}"
COMP_WORDS=(stages "$@"); COMP_CWORD=$#
_stages_complete
printf '%s\\n' "\${COMPREPLY[@]}"`,
      "bash",
      ...words,
    ],
    {
      cwd: join(directory, "project"),
      encoding: "utf8",
      env: { ...process.env, PATH: `${join(directory, "bin")}:${process.env.PATH}` },
    },
  );
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
  return result.stdout.split("\n").filter((line) => line !== "");
}

describe("bash completion of the built stages", () => {
  it("completes commands, options and the project's image names", () => {
    expect(completeInBash("bu")).toEqual(["build", "build-and-publish"]);
    expect(completeInBash("build", "--net")).toEqual(["--network"]);
    expect(completeInBash("build", "b")).toEqual(["backend", "billing"]);
  });
});
