import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type EchoRegistry, requireTestEnvironment, startEchoRegistry } from "@stages/testenv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRepository, stages, uniqueName } from "./helpers.js";
import { temporaryDirectory } from "./temporary.js";

// Defect 3 of issue 10: a registry that echoes the Authorization header in its error body made
// `stages push|pull|publish` print `Basic c3RhZ2Vz...` on stderr and in `--json`. Push and publish
// reach this registry through the engine (its lookups say "unknown", so the stage is pushed); a
// pull stops at the CLI's own lookup, whose redaction @stages/registry tests.
const environment = requireTestEnvironment();
const username = "stages";
const password = "stages-test-password";
const basic = Buffer.from(`${username}:${password}`).toString("base64");

let registry: EchoRegistry;
let directory: string;
let env: Record<string, string>;

beforeAll(async () => {
  registry = await startEchoRegistry();
  const config = temporaryDirectory("stages-redaction-");
  writeFileSync(join(config, "config.json"), JSON.stringify({ auths: { [registry.host]: { auth: basic } } }));
  env = { DOCKER_HOST: environment.dockerHostA, DOCKER_CONFIG: config };
  directory = makeRepository({
    "stages.yaml": `project: ${uniqueName("redaction")}\nconfigVersion: 1\n---\nimage: app\nfrom: ${environment.baseImage}\nshell:\n  install: [echo hi > /hi]\n`,
  });
  const built = await stages(["build", "--network", "none"], { cwd: directory, env });
  expect(built.code, built.stderr).toBe(0);
});

afterAll(async () => {
  await registry?.close();
});

describe("a registry that echoes the credentials it was sent", () => {
  it.each([
    [["push", "app", "REGISTRY/x", "--json"]],
    [["publish", "app", "REGISTRY/x", "--tag-custom", "v1", "--json"]],
    [["push", "app", "REGISTRY/x"]],
  ])("stages %j prints no form of them", async (args) => {
    const before = registry.requests.length;
    const result = await stages(
      args.map((arg) => arg.replace("REGISTRY", registry.host)),
      { cwd: directory, env },
    );
    expect(result.code).not.toBe(0);
    // The registry was sent (and echoed) the credentials: the check below means something.
    expect(registry.requests.slice(before).some((request) => request.headers.authorization === `Basic ${basic}`)).toBe(
      true,
    );
    const printed = `${result.stdout}\n${result.stderr}`;
    for (const form of [password, basic, basic.replace(/=+$/, "")]) expect(printed).not.toContain(form);
    expect(printed).not.toMatch(/Basic [A-Za-z0-9+/=]{8,}/);
    if (args.includes("--json")) {
      expect(result.json?.error?.message).toMatch(/unauthorized|authorization|Basic \*\*\*/i);
    }
  });
});
