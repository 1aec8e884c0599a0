#!/usr/bin/env node
// `pnpm pack:check`: packs every public package as `pnpm publish` would (publishConfig applied,
// workspace: ranges rewritten) into a temporary folder and checks each tarball the way npm users get
// it: publint and @arethetypeswrong/cli clean, plus what neither knows about this repository (LICENSE,
// metadata, no source maps, no development-only export conditions, self-contained README, a CLI whose
// dependencies are exactly what its bundle loads). Exits 1 on any problem. Needs built dist/ folders.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = new URL("../../", import.meta.url).pathname;
const bin = (name) => join(root, "node_modules", ".bin", name);
const repositoryUrl = "https://github.com/stages-dev/stages";
const license = readFileSync(join(root, "LICENSE"), "utf8");

/**
 * Bare imports of the CLI bundle that are not dependencies, and why: `debug` (bundled with dockerode)
 * requires `supports-color` inside try/catch and only colours its output when it is installed.
 */
const optionalBundleImports = new Set(["supports-color"]);

/** The folders of the workspace packages that are published (not `private`). */
function publicPackages() {
  const folders = ["packages", "apps"].flatMap((parent) =>
    readdirSync(join(root, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(root, parent, entry.name)),
  );
  return folders.filter((folder) => {
    try {
      return JSON.parse(readFileSync(join(folder, "package.json"), "utf8")).private !== true;
    } catch {
      return false;
    }
  });
}

/** `pnpm pack` of one package folder into `destination`; the tarball's path. */
async function pack(folder, destination) {
  const { stdout } = await run("pnpm", ["pack", "--pack-destination", destination, "--json"], { cwd: folder });
  return JSON.parse(stdout).filename;
}

async function tarball(path) {
  const files = (await run("tar", ["-tzf", path], { maxBuffer: 64 << 20 })).stdout
    .split("\n")
    .filter(Boolean)
    .map((entry) => entry.replace(/^package\//, ""));
  const read = async (file) =>
    (await run("tar", ["-xzOf", path, `package/${file}`], { maxBuffer: 64 << 20, encoding: "utf8" })).stdout;
  return { files, read };
}

/** Every export target and condition of a manifest's `exports`, flattened. */
function exportEntries(value, conditions = []) {
  if (typeof value === "string") return [{ conditions, target: value }];
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    exportEntries(inner, key.startsWith(".") ? conditions : [...conditions, key]),
  );
}

function checkManifest(manifest, folder, files, problems) {
  const directory = relative(root, folder);
  const entries = exportEntries(manifest.exports);
  for (const { conditions, target } of entries) {
    const development = conditions.find((condition) => condition.startsWith("@"));
    if (development) problems.push(`exports: development-only condition "${development}" → ${target}`);
    if (!files.includes(target.replace(/^\.\//, ""))) problems.push(`exports: ${target} is not in the tarball`);
  }
  if (manifest.license !== "Apache-2.0") problems.push(`license is ${manifest.license}, not Apache-2.0`);
  const repository = manifest.repository;
  if (
    repository?.type !== "git" ||
    repository?.url !== `git+${repositoryUrl}.git` ||
    repository?.directory !== directory
  ) {
    problems.push(`repository must be { type: "git", url: "git+${repositoryUrl}.git", directory: "${directory}" }`);
  }
  if (!manifest.homepage?.startsWith(repositoryUrl)) problems.push(`homepage must be under ${repositoryUrl}`);
  if (manifest.bugs?.url !== `${repositoryUrl}/issues`) problems.push(`bugs.url must be ${repositoryUrl}/issues`);
  if (!Array.isArray(manifest.keywords) || manifest.keywords.length === 0) problems.push("keywords are missing");
  if (!manifest.author) problems.push("author is missing");
  if (!manifest.engines?.node) problems.push("engines.node is missing");
  for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (range.startsWith("workspace:")) problems.push(`${field}: ${name}@${range} was not rewritten`);
    }
  }
}

function checkFiles(files, readme, problems) {
  if (!files.includes("LICENSE")) problems.push("LICENSE is not in the tarball");
  for (const file of files.filter((file) => file.endsWith(".map"))) problems.push(`source map in the tarball: ${file}`);
  if (!files.includes("README.md")) problems.push("README.md is not in the tarball");
  for (const link of readme.matchAll(/\]\((?!https?:|#|mailto:)([^)\s,]+)\)/g)) {
    problems.push(`README.md: relative link ${link[1]} (broken on npm; link to ${repositoryUrl}/…)`);
  }
  if (/DESIGN(\.md)? ?§/.test(readme)) problems.push("README.md cites DESIGN §…, which is not on npm");
}

/** Bare module names a bundle imports or requires (Node built-ins left out). */
function bareImports(source) {
  const builtins = new Set(builtinModules);
  const names = new Set();
  // esbuild writes static imports one a line; dynamic imports and requires may be anywhere.
  const pattern =
    /^(?:import|export)\b[^\n]*?["']([^"'./\s][^"'\s]*)["'];?$|(?<![\w$])(?:import|require|__require)\(\s*["']([^"'./\s][^"'\s]*)["']\s*\)/gm;
  for (const match of source.matchAll(pattern)) {
    const specifier = match[1] ?? match[2];
    if (specifier.startsWith("node:")) continue;
    const name = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0];
    if (!builtins.has(name)) names.add(name);
  }
  return names;
}

async function checkBundleDependencies(manifest, files, read, problems) {
  const imported = new Set();
  for (const file of files.filter((file) => /^dist\/.*\.(c|m)?js$/.test(file))) {
    for (const name of bareImports(await read(file))) imported.add(name);
  }
  const declared = new Set(Object.keys(manifest.dependencies ?? {}));
  for (const name of imported) {
    if (!declared.has(name) && !optionalBundleImports.has(name))
      problems.push(`dist imports ${name}, not a dependency`);
  }
  for (const name of declared) {
    if (!imported.has(name)) problems.push(`dependency ${name} is not imported by dist (bundled or unused)`);
  }
}

async function tool(command, args) {
  try {
    await run(command, args, { cwd: root, maxBuffer: 16 << 20 });
    return null;
  } catch (error) {
    return `${error.stdout ?? ""}${error.stderr ?? ""}`.trim() || String(error);
  }
}

/** All problems of one packed package. */
async function checkPackage(folder, destination) {
  const problems = [];
  const path = await pack(folder, destination);
  const { files, read } = await tarball(path);
  const manifest = JSON.parse(await read("package.json"));
  checkManifest(manifest, folder, files, problems);
  checkFiles(files, files.includes("README.md") ? await read("README.md") : "", problems);
  if (files.includes("LICENSE") && (await read("LICENSE")) !== license)
    problems.push("LICENSE differs from the root's");
  if (manifest.bin) await checkBundleDependencies(manifest, files, read, problems);
  const publint = await tool(bin("publint"), ["run", path, "--strict"]);
  if (publint) problems.push(`publint:\n${publint}`);
  // Packages with a `require` export are dual and checked under every resolution; the others are
  // ESM-only (Node ≥ 20.19 loads them with require(esm)), which attw's esm-only profile checks.
  const dual = exportEntries(manifest.exports).some(({ conditions }) => conditions.includes("require"));
  const attw = await tool(bin("attw"), [
    path,
    "--profile",
    dual ? "strict" : "esm-only",
    "--format",
    "table",
    "--no-color",
  ]);
  if (attw) problems.push(`attw (${dual ? "strict" : "esm-only"}):\n${attw}`);
  return { name: manifest.name, version: manifest.version, size: files.length, problems };
}

async function main() {
  const started = Date.now();
  const destination = mkdtempSync(join(tmpdir(), "stages-pack-check-"));
  try {
    const folders = publicPackages();
    // Two at a time: attw and publint are CPU-bound, and CI has two cores.
    const results = [];
    for (let index = 0; index < folders.length; index += 2) {
      results.push(
        ...(await Promise.all(folders.slice(index, index + 2).map((folder) => checkPackage(folder, destination)))),
      );
    }
    let failed = 0;
    for (const { name, version, size, problems } of results) {
      if (problems.length === 0) {
        console.log(`ok   ${name}@${version} (${size} files)`);
        continue;
      }
      failed++;
      console.log(`FAIL ${name}@${version}`);
      for (const problem of problems) console.log(`  - ${problem.replaceAll("\n", "\n    ")}`);
    }
    console.log(`${results.length} packages, ${failed} with problems, ${((Date.now() - started) / 1000).toFixed(1)} s`);
    process.exitCode = failed === 0 ? 0 : 1;
  } finally {
    rmSync(destination, { recursive: true, force: true });
  }
}

await main();
