import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { temporaryDirectory } from "./temporary.js";

export const cliRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const binary = join(cliRoot, "dist", "main.js");
export const repositoryRoot = resolve(cliRoot, "..", "..");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON, when it is. */
  // biome-ignore lint/suspicious/noExplicitAny: a test reads whatever document the CLI printed
  json: any;
}

/** Runs the built `stages` binary, as a user would. */
export function stages(
  args: string[],
  options: {
    cwd: string;
    env?: Record<string, string | undefined>;
    /** Called with the whole stderr so far each time more of it comes. */
    onStderr?: (stderr: string) => void;
  },
): Promise<RunResult> {
  if (!existsSync(binary)) throw new Error(`${binary} is missing: run \`pnpm build\` first (pnpm test does)`);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [binary, ...args], {
      cwd: options.cwd,
      env: { ...process.env, CI: "true", NO_COLOR: "1", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      options.onStderr?.(stderr);
    });
    child.on("error", reject);
    child.on("close", (code) => {
      let json: unknown = null;
      try {
        json = JSON.parse(stdout);
      } catch {
        // not JSON
      }
      resolvePromise({ code: code ?? -1, stdout, stderr, json });
    });
  });
}

/** Runs the docker CLI against one engine; throws with stderr on failure. */
export function docker(host: string, ...args: string[]): string {
  const client = existsSync("/usr/bin/docker") ? "/usr/bin/docker" : "docker";
  const result = spawnSync(client, ["-H", host, ...args], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`docker ${args.join(" ")}: ${result.stderr}`);
  return result.stdout.trim();
}

/** Runs git in a directory. */
export function git(cwd: string, ...args: string[]): string {
  const result = spawnSync("git", args, { cwd, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
  return result.stdout.trim();
}

/** Makes a git work tree with these files committed. */
export function makeRepository(files: Record<string, string>): string {
  const directory = temporaryDirectory("stages-e2e-");
  for (const [path, content] of Object.entries(files)) writeFile(directory, path, content);
  git(directory, "init", "-q", "-b", "main");
  git(directory, "-c", "user.email=e2e@stages.invalid", "-c", "user.name=e2e", "add", "-A");
  git(directory, "-c", "user.email=e2e@stages.invalid", "-c", "user.name=e2e", "commit", "-q", "-m", "initial");
  return directory;
}

export function writeFile(directory: string, path: string, content: string): void {
  const target = join(directory, path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, content);
}

/** A name unique to this test run (lowercase, docker-path safe). */
export function uniqueName(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/** Actions of one image's stages in a result document. */
export function actionsOf(result: RunResult, image: string | null): Record<string, string> {
  const found = result.json?.images?.find((candidate: { name: string | null }) => candidate.name === image);
  if (!found) throw new Error(`no image ${image} in ${result.stdout}\n${result.stderr}`);
  return Object.fromEntries(found.stages.map((stage: { name: string; action: string }) => [stage.name, stage.action]));
}

/** Every (signature, action) of a result document. */
export function allStages(
  result: RunResult,
): { image: string | null; name: string; signature: string; action: string }[] {
  return (result.json?.images ?? []).flatMap(
    (image: { name: string | null; stages: { name: string; signature: string; action: string }[] }) =>
      image.stages.map((stage) => ({ image: image.name, ...stage })),
  );
}

/** A maker of git work trees: `makeRepository` (every test folder is removed after its file, test/setup.ts). */
export function temporaryRepositories(): (files: Record<string, string>) => string {
  return makeRepository;
}

/** `stages build --network none --json ...` that must succeed. */
export async function buildOk(
  directory: string,
  env: Record<string, string | undefined>,
  ...extra: string[]
): Promise<RunResult> {
  const result = await stages(["build", "--network", "none", "--json", ...extra], { cwd: directory, env });
  expect(result.code, result.stderr).toBe(0);
  return result;
}

/** The tags of a repository on a plain-HTTP registry (`localhost:5000/path`), sorted; none when it does not exist. */
export async function registryTags(repository: string): Promise<string[]> {
  const slash = repository.indexOf("/");
  const response = await fetch(
    `http://${repository.slice(0, slash)}/v2/${repository.slice(slash + 1)}/tags/list?n=1000`,
  );
  if (response.status === 404) return [];
  const body = (await response.json()) as { tags: string[] | null };
  return (body.tags ?? []).sort();
}
