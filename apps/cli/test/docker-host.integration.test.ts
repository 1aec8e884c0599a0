// Which engine a run uses, as the docker CLI decides it: DOCKER_HOST (unix or ssh://), else
// DOCKER_CONTEXT, else the currentContext of $DOCKER_CONFIG/config.json. Each case builds a small
// project and then looks for its stages in engines A and B with the docker CLI.
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireTestEnvironment } from "@stages/testenv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actionsOf, docker, makeRepository, stages, uniqueName } from "./helpers.js";

const environment = requireTestEnvironment();
const scratch = mkdtempSync(join(tmpdir(), "stages-docker-host-"));
const projects: string[] = [];

/** A project of its own per case, so that where its stages are tells which engine built it. */
function project(): { directory: string; name: string } {
  const name = uniqueName("dockerhost");
  projects.push(name);
  const directory = makeRepository({
    "stages.yaml": `project: ${name}\nconfigVersion: 1\n---\nimage: app\nfrom: ${environment.baseImage}\nshell:\n  install: [echo ${name} > /which]\n`,
  });
  return { directory, name };
}

function stagesOn(host: string, name: string): string[] {
  return docker(host, "images", `stages-storage/${name}`, "--format", "{{.Tag}}").split("\n").filter(Boolean);
}

/** Builds, then says on which engines the project's stages are. */
async function buildAndLocate(env: Record<string, string>): Promise<{ engines: string[]; stderr: string }> {
  const { directory, name } = project();
  const result = await stages(["build", "--json", "--network", "none"], { cwd: directory, env });
  expect(result.code, result.stderr).toBe(0);
  expect(actionsOf(result, "app").install).toBe("built");
  const engines = [];
  if (stagesOn(environment.dockerHostA, name).length > 0) engines.push("A");
  if (stagesOn(environment.dockerHostB, name).length > 0) engines.push("B");
  return { engines, stderr: result.stderr };
}

/** A docker config directory holding a context `engine-b` as `docker context create` writes it. */
function dockerConfig(currentContext?: string): string {
  const directory = mkdtempSync(join(scratch, "config-"));
  if (currentContext) writeFileSync(join(directory, "config.json"), JSON.stringify({ currentContext }));
  const id = createHash("sha256").update("engine-b").digest("hex");
  mkdirSync(join(directory, "contexts", "meta", id), { recursive: true });
  writeFileSync(
    join(directory, "contexts", "meta", id, "meta.json"),
    JSON.stringify({
      Name: "engine-b",
      Metadata: { Description: "engine B of the test environment" },
      Endpoints: { docker: { Host: environment.dockerHostB, SkipTLSVerify: false } },
    }),
  );
  return directory;
}

// No DOCKER_HOST, agent or docker config of the machine running the tests leaks into a case.
const clean = { DOCKER_HOST: "", DOCKER_CONTEXT: "", SSH_AUTH_SOCK: "" };

afterAll(() => {
  for (const host of [environment.dockerHostA, environment.dockerHostB]) {
    for (const name of projects) {
      const tags = stagesOn(host, name).map((tag) => `stages-storage/${name}:${tag}`);
      if (tags.length > 0) docker(host, "rmi", "--force", ...tags);
    }
  }
  rmSync(scratch, { recursive: true, force: true });
});

describe("DOCKER_HOST=ssh://", () => {
  let home: string;
  beforeAll(() => {
    // A HOME as a user's: the key as ~/.ssh/id_ed25519, the sshd's host key in ~/.ssh/known_hosts.
    home = mkdtempSync(join(scratch, "home-"));
    mkdirSync(join(home, ".ssh"), { mode: 0o700 });
    copyFileSync(environment.sshKey, join(home, ".ssh", "id_ed25519"));
    copyFileSync(environment.sshKnownHosts, join(home, ".ssh", "known_hosts"));
  });

  it("builds on the engine behind the sshd, logging in with ~/.ssh/id_ed25519", async () => {
    const located = await buildAndLocate({
      ...clean,
      HOME: home,
      DOCKER_CONFIG: dockerConfig("engine-b"),
      DOCKER_HOST: environment.sshDockerHost,
    });
    expect(located.engines).toEqual(["B"]);
    // docker-modem's own ssh transport made Node print a DEP0170 warning on every run.
    expect(located.stderr.split("\n").filter((line) => /Warning/.test(line))).toEqual([]);
  });

  it("refuses a host that ~/.ssh/known_hosts does not list, with the command that adds it", async () => {
    const stranger = mkdtempSync(join(scratch, "home-"));
    mkdirSync(join(stranger, ".ssh"));
    copyFileSync(environment.sshKey, join(stranger, ".ssh", "id_ed25519"));
    const { directory } = project();
    const result = await stages(["build"], {
      cwd: directory,
      env: { ...clean, HOME: stranger, DOCKER_CONFIG: dockerConfig(), DOCKER_HOST: environment.sshDockerHost },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/the SSH host key of \[127\.0\.0\.1\]:\d+ is not in ~\/\.ssh\/known_hosts/);
    expect(result.stderr).toMatch(/ssh-keyscan -p \d+ 127\.0\.0\.1 >> ~\/\.ssh\/known_hosts/);
  });
});

describe("docker contexts", () => {
  it("builds on the engine of DOCKER_CONTEXT", async () => {
    const located = await buildAndLocate({ ...clean, DOCKER_CONFIG: dockerConfig(), DOCKER_CONTEXT: "engine-b" });
    expect(located.engines).toEqual(["B"]);
  });

  it("builds on the engine of the currentContext in config.json", async () => {
    const located = await buildAndLocate({ ...clean, DOCKER_CONFIG: dockerConfig("engine-b") });
    expect(located.engines).toEqual(["B"]);
  });

  it("lets DOCKER_HOST override the context", async () => {
    const located = await buildAndLocate({
      ...clean,
      DOCKER_CONFIG: dockerConfig("engine-b"),
      DOCKER_CONTEXT: "engine-b",
      DOCKER_HOST: environment.dockerHostA,
    });
    expect(located.engines).toEqual(["A"]);
  });

  it("names a context that does not exist", async () => {
    const { directory } = project();
    const result = await stages(["build"], {
      cwd: directory,
      env: { ...clean, DOCKER_CONFIG: dockerConfig(), DOCKER_CONTEXT: "engine-c" },
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/docker context "engine-c" \(from DOCKER_CONTEXT\) does not exist/);
    expect(result.stderr).toMatch(/docker context ls/);
  });
});
