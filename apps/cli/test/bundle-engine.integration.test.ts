// What the CLI bundle costs per Engine API request (defer-engine-extras.ts): docker-modem inspects
// every request's options for a debug line that is printed only with DEBUG=modem; the bundle
// makes that inspection only when the line is printed.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireTestEnvironment } from "@stages/testenv";
import { afterAll, describe, expect, it } from "vitest";
import { binary, makeRepository, stages, uniqueName } from "./helpers.js";

const environment = requireTestEnvironment();
const profiles = mkdtempSync(join(tmpdir(), "stages-bundle-profile-"));
afterAll(() => rmSync(profiles, { recursive: true, force: true }));

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

/** Names of the functions that called util.inspect in a CPU profile of one run. */
function inspectCallers(args: string[], cwd: string, env: Record<string, string>): string[] {
  const directory = mkdtempSync(join(profiles, "run-"));
  const result = spawnSync(
    process.execPath,
    ["--cpu-prof", "--cpu-prof-interval", "50", `--cpu-prof-dir=${directory}`, binary, ...args],
    { cwd, env: { ...process.env, CI: "true", NO_COLOR: "1", ...env }, encoding: "utf8" },
  );
  expect(result.status, result.stderr).toBe(0);
  const callers = new Set<string>();
  for (const file of readdirSync(directory)) {
    const nodes = (JSON.parse(readFileSync(join(directory, file), "utf8")) as { nodes: ProfileNode[] }).nodes;
    const byId = new Map(nodes.map((node) => [node.id, node]));
    for (const node of nodes) {
      for (const child of node.children ?? []) {
        const called = byId.get(child);
        if (called?.callFrame.functionName === "inspect" && called.callFrame.url.includes("util/inspect")) {
          callers.add(node.callFrame.functionName);
        }
      }
    }
  }
  return [...callers];
}

/**
 * What one run loads besides the ES modules of the bundle: the CommonJS files (dockerode.cjs) and
 * Node's own modules (node:tls), as listed when the process exits.
 */
function loadedBy(args: string[], cwd: string, env: Record<string, string>): { files: string[]; builtins: string[] } {
  const directory = mkdtempSync(join(profiles, "loaded-"));
  const recorder = join(directory, "record.cjs");
  const log = join(directory, "loaded.json");
  writeFileSync(
    recorder,
    `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(log)}, JSON.stringify({
  files: Object.keys(require("node:module")._cache),
  builtins: process.moduleLoadList.filter((name) => name.startsWith("NativeModule ")).map((name) => name.slice(13)),
})));\n`,
  );
  const result = spawnSync(process.execPath, ["--require", recorder, binary, ...args], {
    cwd,
    env: { ...process.env, CI: "true", NO_COLOR: "1", ...env },
    encoding: "utf8",
  });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(readFileSync(log, "utf8")) as { files: string[]; builtins: string[] };
}

describe("the CLI bundle against an engine", () => {
  const project = uniqueName("bundleengine");
  const directory = makeRepository({
    "stages.yaml": `project: ${project}\nconfigVersion: 1\n---\nimage: app\nfrom: ${environment.baseImage}\n`,
  });
  const onA = { DOCKER_HOST: environment.dockerHostA };

  it("does not inspect request options for a debug line nobody prints", () => {
    // Several lookups of stages that do not exist: each one an Engine API request.
    const callers = inspectCallers(["plan", "--json"], directory, onA);
    expect(callers.filter((name) => /buildRequest/.test(name))).toEqual([]);
    // With DEBUG=modem the line is printed, inspection and all (so the profile does see it).
    const debugCallers = inspectCallers(["plan", "--json"], directory, { ...onA, DEBUG: "modem" });
    expect(debugCallers.length).toBeGreaterThan(0);
  });

  it("reaches a unix-socket engine without node:tls, and pushes stages REPO has without loading dockerode", async () => {
    const plan = loadedBy(["plan", "--json"], directory, onA);
    expect(plan.files.some((file) => file.endsWith("dockerode.cjs"))).toBe(true);
    expect(plan.builtins).not.toContain("tls");
    const repo = `${environment.registry}/${project}`;
    for (const args of [
      ["build", "--network", "none"],
      ["push", repo],
    ]) {
      const run = await stages(args, { cwd: directory, env: onA });
      expect(run.code, run.stderr).toBe(0);
    }
    // Every stage is in REPO now: the push asks REPO alone, and never loads the engine's client.
    const push = loadedBy(["push", repo], directory, onA);
    expect(push.files.filter((file) => file.startsWith(join(binary, "..")))).toEqual([]);
  });
});
