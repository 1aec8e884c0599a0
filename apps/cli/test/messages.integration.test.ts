import { requireTestEnvironment } from "@stages/testenv";
import { beforeAll, describe, expect, it } from "vitest";
import { makeRepository, stages, uniqueName, writeFile } from "./helpers.js";

// What a user sees for input that is wrong: one clear message saying where and what, a hint, and
// the exit code of a usage error (2) — never a bare "Invalid URL" from deep inside a client.
const environment = requireTestEnvironment();
const onA = { DOCKER_HOST: environment.dockerHostA };

describe("messages for wrong input", () => {
  let directory: string;
  beforeAll(() => {
    directory = makeRepository({
      "stages.yaml": `project: ${uniqueName("messages")}\nconfigVersion: 1\n---\nimage: app\nfrom: ${environment.baseImage}\n`,
    });
  });

  it.each([
    [["push", "localhost:99999/x"]],
    [["pull", "localhost:99999/x"]],
    [["publish", "localhost:99999/x", "--tag-custom", "v1"]],
    [["build", "--repo", "localhost:99999/x"]],
  ])("a registry port out of range is a usage error naming the registry and the valid range: %j", async (args) => {
    const result = await stages(args, { cwd: directory, env: onA });
    expect(result.stderr).not.toContain("Invalid URL");
    expect(result.stderr).toContain(
      'port 99999 of registry "localhost:99999" is out of range: a port is a number from 1 to 65535',
    );
    expect(result.stderr).toMatch(/\n {2}hint: /);
    expect(result.code).toBe(2);
  });

  it.each([
    ["[1:2:3]:5000/x", 'registry "[1:2:3]:5000" is not a valid IPv6 address'],
    ["999.1.1.1:5000/x", 'registry "999.1.1.1:5000" is not a valid host'],
    ["xn--a.com/x", 'registry "xn--a.com" is not a valid host name'],
  ])("a registry address no URL can hold is a usage error: %s", async (repository, message) => {
    const result = await stages(["push", repository], { cwd: directory, env: onA });
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toContain("Invalid URL");
    expect(result.code).toBe(2);
  });

  it("a from: with a space inside is reported at its file:line:col", async () => {
    const project = makeRepository({
      "stages.yaml": `project: ${uniqueName("messages")}\nconfigVersion: 1\n---\nimage: app\nfrom: "alpine 3.20"\n`,
    });
    const result = await stages(["plan"], { cwd: project, env: onA });
    expect(result.stderr).toContain(
      'stages.yaml:5:7: from: invalid reference "alpine 3.20": a reference contains no whitespace',
    );
    expect(result.code).not.toBe(0);
  });

  it("scalars where commands or paths are expected are reported all at once, each at its file:line:col", async () => {
    const project = makeRepository({ "src/a.txt": "a\n" });
    writeFile(
      project,
      "stages.yaml",
      `project: ${uniqueName("messages")}
configVersion: 1
---
image: app
from: ${environment.baseImage}
git:
- add: /src
  to: /app
  stageDependencies:
    install: 42
shell:
  setup: 5
docker:
  CMD: 12
`,
    );
    const result = await stages(["build", "--json"], { cwd: project, env: onA });
    expect(result.stderr).toContain("3 errors in the configuration");
    expect(result.stderr).toContain(
      "stages.yaml:10:14: git.stageDependencies.install must be a string or a list of strings, not a number",
    );
    expect(result.stderr).toContain(
      'stages.yaml:12:10: shell.setup must be a string or a list of strings, not a number (quote it to run it as a command: setup: "5")',
    );
    expect(result.stderr).toContain(
      'stages.yaml:14:8: docker.CMD must be a string or a list of strings, not a number (quote it: "12")',
    );
    expect(result.code).not.toBe(0);
    expect(result.json?.error?.code).toBe("CONFIG_INVALID");
  });
});
