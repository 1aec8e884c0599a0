import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runInMemory } from "../cli-test-support.js";

// clipanion's ES build imports a directory (lib/platform), which Node's ES loader refuses: the CLI
// loads it with require (tsup.config.ts), and so do these tests.
vi.mock("clipanion", () => createRequire(import.meta.url)("clipanion"));

let project: string;

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), "stages-completion-"));
  writeFileSync(
    join(project, "werf.yaml"),
    [
      "project: taxi",
      "configVersion: 1",
      "---",
      "image: backend",
      "from: alpine:3.20",
      "---",
      'image: "frontend"',
      "from: alpine:3.20",
      "---",
      "artifact: assets",
      "from: alpine:3.20",
      "---",
      "image: {{ .Env }}-worker",
      "from: alpine:3.20",
      "",
    ].join("\n"),
  );
  mkdirSync(join(project, "other"));
  writeFileSync(join(project, "other", "stages.yaml"), "project: other\nconfigVersion: 1\n---\nimage: solo\n");
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

/** The candidates `stages WORD...<Tab>` gets (the last word is the one being completed). */
async function complete(...words: string[]): Promise<string[]> {
  const run = await runInMemory(["__complete", ...words], { cwd: project });
  expect(run.code).toBe(0);
  return run.stdout.split("\n").filter((line) => line !== "");
}

describe("stages __complete", () => {
  it("completes commands, then the commands of a group", async () => {
    expect(await complete("")).toEqual(
      expect.arrayContaining(["build", "push", "publish", "host", "config", "help", "completion"]),
    );
    expect(await complete("pu")).toEqual(["push", "pull", "publish", "purge"]);
    expect(await complete("host", "")).toEqual(["cleanup", "purge"]);
    expect(await complete("help", "co")).toEqual(["config", "completion"]);
    expect(await complete("--dir", ".", "bu")).toEqual(["build", "build-and-publish"]);
  });

  it("completes the options of the command typed, and only those", async () => {
    const options = await complete("build", "--");
    expect(options).toEqual(expect.arrayContaining(["--dir", "--repo", "--network", "--parallel", "--help"]));
    expect(await complete("push", "--n")).toEqual([]);
    expect(await complete("host", "cleanup", "--allowed-volume-usage-")).toEqual(["--allowed-volume-usage-margin"]);
  });

  it("completes option values: --network's modes, files for --dir and --config", async () => {
    expect(await complete("build", "--network", "")).toEqual(["none", "host", "default"]);
    expect(await complete("build", "--dir", "")).toEqual([":files"]);
    expect(await complete("config", "check", "--config", "we")).toEqual([":files"]);
    expect(await complete("build", "--repo", "")).toEqual([]);
    expect(await complete("build", "--network=h")).toEqual(["--network=host"]);
    expect(await complete("build", "--network", "=", "h")).toEqual(["host"]);
  });

  it("completes image names from the project's config, not the templated ones", async () => {
    expect(await complete("build", "")).toEqual(["backend", "frontend", "assets"]);
    expect(await complete("build", "--parallel", "2", "f")).toEqual(["frontend"]);
    expect(await complete("push", "b")).toEqual(["backend"]);
    expect(await complete("build", "--dir", "other", "")).toEqual(["solo"]);
    expect(await complete("cleanup", "")).toEqual([]);
  });

  it("completes the shells of stages completion", async () => {
    expect(await complete("completion", "")).toEqual(["bash", "zsh", "fish"]);
  });
});

describe("stages __complete in a project with a plugin", () => {
  let pluginProject: string;
  beforeAll(() => {
    pluginProject = mkdtempSync(join(tmpdir(), "stages-completion-plugin-"));
    writeFileSync(
      join(pluginProject, "stages.yaml"),
      "project: greeter\nconfigVersion: 1\nplugins: [./plugin.mjs]\n---\nimage: app\nfrom: alpine:3.20\n",
    );
    writeFileSync(
      join(pluginProject, "plugin.mjs"),
      `export default {
  name: "greeter",
  specificationVersion: "v1",
  commands: ({ Command, Option }) => {
    class GreetCommand extends Command {
      static paths = [["greet"]];
      static usage = Command.Usage({ description: "Greet someone" });
      loud = Option.Boolean("--loud", false, { description: "Shout" });
      async execute() { return 0; }
    }
    return [GreetCommand];
  },
};
`,
    );
  });
  afterAll(() => rmSync(pluginProject, { recursive: true, force: true }));

  it("completes the plugin's commands and their options", async () => {
    const complete = async (...words: string[]) =>
      (await runInMemory(["__complete", ...words], { cwd: pluginProject })).stdout.split("\n").filter(Boolean);
    expect(await complete("gr")).toEqual(["greet"]);
    expect(await complete("greet", "--")).toEqual(["--loud", "--help"]);
  });

  it("finds the plugin in the project STAGES_DIR names, as the command will", async () => {
    const run = await runInMemory(["__complete", "gr"], { cwd: tmpdir(), env: { STAGES_DIR: pluginProject } });
    expect(run.stdout).toBe("greet\n");
  });
});

describe("stages completion", () => {
  it("prints each shell's script, and refuses another shell", async () => {
    for (const shell of ["bash", "zsh", "fish"]) {
      const run = await runInMemory(["completion", shell]);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("stages __complete");
    }
    expect((await runInMemory(["completion", "tcsh"])).code).toBe(2);
  });

  it("gives bash the candidates stages prints for the words typed so far", async () => {
    const script = (await runInMemory(["completion", "bash"])).stdout;
    const file = join(project, "stages.bash");
    writeFileSync(file, script);
    // A stand-in for the stages binary: it records the words it gets and answers as __complete would.
    const bash = (line: string, answer: string) =>
      spawnSync(
        "bash",
        [
          "-c",
          `source "$1"; recorded="$2/words"
stages() { printf '%s|' "$@" > "$recorded"; printf '${answer}'; }
COMP_WORDS=(${line}); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
complete -p stages
_stages_complete
printf 'reply:%s\\n' "\${COMPREPLY[@]}"
cat "$2/words"`,
          "bash",
          file,
          project,
        ],
        { encoding: "utf8" },
      );
    // Taken as they are: a space stays in its candidate, a * is not a glob of the current folder.
    const words = bash(`stages build --dir "my dir" ""`, "backend\\nbig data\\n*\\n");
    expect(words.stderr).toBe("");
    expect(words.stdout).toBe(
      "complete -F _stages_complete stages\nreply:backend\nreply:big data\nreply:*\n__complete|build|--dir|my dir||",
    );
    const files = bash(`stages build --dir ""`, ":files\\n");
    expect(files.stdout).toBe("complete -F _stages_complete stages\nreply:\n__complete|build|--dir||");
  });
});
