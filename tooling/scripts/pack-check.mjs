#!/usr/bin/env node
// `pnpm pack:check`: packs every public package as `pnpm publish` would (publishConfig applied,
// workspace: ranges rewritten) into a temporary folder and checks each tarball the way npm users get
// it: publint and @arethetypeswrong/cli clean, plus what neither knows about this repository (LICENSE,
// metadata, no source maps, no development-only export conditions, self-contained README, a CLI whose
// dependencies are exactly what its bundle loads). Exits 1 on any problem. Needs built dist/ folders.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";

const run = promisify(execFile);
const root = new URL("../../", import.meta.url).pathname;
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

/** One `pnpm pack` of all these folders into `destination`: [{ name, version, filename }]. */
async function packAll(folders, destination) {
  const filters = folders.flatMap((folder) => ["--filter", `./${relative(root, folder)}`]);
  const { stdout } = await run("pnpm", ["-r", ...filters, "pack", "--pack-destination", destination, "--json"], {
    cwd: root,
    maxBuffer: 16 << 20,
  });
  return JSON.parse(stdout);
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

/** publint's messages on a tarball (warnings count as errors), formatted. */
async function publintMessages(path) {
  const { publint } = await import("publint");
  const { formatMessage } = await import("publint/utils");
  const data = readFileSync(path);
  const tarball = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
  const { messages, pkg } = await publint({ pack: { tarball }, strict: true, level: "suggestion" });
  return messages.map((message) => `${message.type}: ${formatMessage(message, pkg) ?? message.code}`);
}

/** What attw reports on a tarball, minus the resolutions its profile leaves out, one line each. */
async function attwProblems(checkPackage, createPackageFromTarballData, { path, ignoreResolutions }) {
  const analysis = await checkPackage(createPackageFromTarballData(new Uint8Array(readFileSync(path))));
  if (!analysis.types) return [];
  return analysis.problems
    .filter((problem) => !("resolutionKind" in problem && ignoreResolutions.includes(problem.resolutionKind)))
    .map((problem) => {
      const details = Object.entries(problem)
        .filter(([key, value]) => key !== "kind" && (typeof value === "string" || typeof value === "number"))
        .map(([key, value]) => `${key}=${value}`);
      return `${problem.kind} (${details.join(", ")})`;
    });
}

// attw loads TypeScript and type-checks every entry point under four resolutions: the expensive part.
// Two worker threads (CI has two cores) share the tarballs, each loading TypeScript once.
async function attwWorker() {
  const { checkPackage, createPackageFromTarballData } = await import("@arethetypeswrong/core");
  const results = {};
  for (const job of workerData) results[job.path] = await attwProblems(checkPackage, createPackageFromTarballData, job);
  parentPort.postMessage(results);
}

function runAttw(jobs) {
  const groups = [jobs.filter((_, index) => index % 2 === 0), jobs.filter((_, index) => index % 2 === 1)];
  return Promise.all(
    groups
      .filter((group) => group.length > 0)
      .map(
        (group) =>
          new Promise((resolvePromise, reject) => {
            const worker = new Worker(new URL(import.meta.url), { workerData: group });
            worker.once("message", resolvePromise);
            worker.once("error", reject);
          }),
      ),
  ).then((results) => Object.assign({}, ...results));
}

/**
 * Every module the published type declarations import must come with the package: a dependency or
 * peer dependency, or its @types package as one (else TypeScript users get "could not find a
 * declaration file", which attw does not check).
 */
async function checkTypeDependencies(folder, manifest, files, read, problems) {
  const declared = new Set(Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }));
  const imported = new Set();
  for (const file of files.filter((file) => /\.d\.(c|m)?ts$/.test(file))) {
    const code = (await read(file)).replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
    for (const match of code.matchAll(/\bfrom\s+['"]([^'"./][^'"]*)['"]|\bimport\(\s*['"]([^'"./][^'"]*)['"]\s*\)/g)) {
      const specifier = match[1] ?? match[2];
      if (specifier.startsWith("node:") || builtinModules.includes(specifier)) continue;
      imported.add(specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]);
    }
  }
  for (const name of imported) {
    const typesName = `@types/${name.startsWith("@") ? name.slice(1).replace("/", "__") : name}`;
    if (!declared.has(name) || (!declared.has(typesName) && !shipsTypes(folder, name))) {
      if (!declared.has(name)) problems.push(`types import ${name}, which is not a dependency or peer dependency`);
      else problems.push(`types import ${name}, whose types are in ${typesName}: make it a dependency`);
    }
  }
}

/** Whether a dependency, as installed for the package, has its own type declarations. */
function shipsTypes(folder, name) {
  try {
    const directory = join(folder, "node_modules", name);
    const manifest = JSON.parse(readFileSync(join(directory, "package.json"), "utf8"));
    const main = (manifest.main ?? "index.js").replace(/\.(c|m)?js$/, "");
    return (
      Boolean(manifest.types || manifest.typings) ||
      JSON.stringify(manifest.exports ?? {}).includes('"types"') ||
      [".d.ts", ".d.cts", "/index.d.ts"].some((suffix) => existsSync(join(directory, `${main}${suffix}`)))
    );
  } catch {
    return false;
  }
}

/** The problems of one packed package but attw's. */
async function checkPackage(folder, path) {
  const problems = [];
  const { files, read } = await tarball(path);
  const manifest = JSON.parse(await read("package.json"));
  checkManifest(manifest, folder, files, problems);
  checkFiles(files, files.includes("README.md") ? await read("README.md") : "", problems);
  if (files.includes("LICENSE") && (await read("LICENSE")) !== license)
    problems.push("LICENSE differs from the root's");
  if (manifest.bin) await checkBundleDependencies(manifest, files, read, problems);
  await checkTypeDependencies(folder, manifest, files, read, problems);
  for (const message of await publintMessages(path)) problems.push(`publint ${message}`);
  return { manifest, files, problems };
}

/** Packages with a `require` export are dual; the others are ES modules only (attw's esm-only profile). */
function isDual(manifest) {
  return exportEntries(manifest.exports).some(({ conditions }) => conditions.includes("require"));
}

async function main() {
  const started = Date.now();
  const destination = mkdtempSync(join(tmpdir(), "stages-pack-check-"));
  try {
    const folders = publicPackages();
    const unbuilt = folders.filter((folder) => !existsSync(join(folder, "dist")));
    if (unbuilt.length > 0) {
      console.log(`not built: ${unbuilt.map((folder) => relative(root, folder)).join(", ")}; run pnpm build first`);
      process.exitCode = 1;
      return;
    }
    const packed = await packAll(folders, destination);
    const folderOf = (name) =>
      folders.find((folder) => JSON.parse(readFileSync(join(folder, "package.json"), "utf8")).name === name);
    const checked = await Promise.all(packed.map((entry) => checkPackage(folderOf(entry.name), entry.filename)));
    const jobs = packed.map((entry, index) => ({
      path: entry.filename,
      ignoreResolutions: isDual(checked[index].manifest) ? [] : ["node10", "node16-cjs"],
    }));
    const attw = await runAttw(jobs);
    let failed = 0;
    packed.forEach((entry, index) => {
      const { manifest, files, problems } = checked[index];
      const profile = isDual(manifest) ? "dual, strict" : "ESM only, esm-only";
      for (const problem of attw[entry.filename]) problems.push(`attw (${profile}): ${problem}`);
      if (problems.length === 0) {
        console.log(`ok   ${entry.name}@${entry.version} (${files.length} files; attw ${profile})`);
        return;
      }
      failed++;
      console.log(`FAIL ${entry.name}@${entry.version}`);
      for (const problem of problems) console.log(`  - ${problem.replaceAll("\n", "\n    ")}`);
    });
    if (Object.values(attw).some((problems) => problems.length > 0)) {
      console.log("attw's table for a package: pnpm pack in its folder, then pnpm exec attw <tarball>");
    }
    console.log(`${packed.length} packages, ${failed} with problems, ${((Date.now() - started) / 1000).toFixed(1)} s`);
    process.exitCode = failed === 0 ? 0 : 1;
  } finally {
    rmSync(destination, { recursive: true, force: true });
  }
}

if (isMainThread) await main();
else await attwWorker();
