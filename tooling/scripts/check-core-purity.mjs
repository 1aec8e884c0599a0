#!/usr/bin/env node
// @stages/core must run in a browser or worker: no node: imports, no Node built-ins, no I/O
// dependencies, no process/Buffer/require. This check fails the lint (and CI) when it gains one.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, relative } from "node:path";

const root = new URL("../../packages/core/", import.meta.url).pathname;
const allowedDependencies = new Set(["yaml", "@noble/hashes", "@noble/ciphers", "@noble/curves"]);
const builtins = new Set(builtinModules);
const problems = [];

const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
for (const name of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) {
  if (!allowedDependencies.has(name)) {
    problems.push(
      `package.json: dependency "${name}" is not on the pure list (${[...allowedDependencies].join(", ")}); I/O belongs in an adapter`,
    );
  }
}

function walk(directory) {
  for (const entry of readdirSync(directory)) {
    const path = join(directory, entry);
    if (statSync(path).isDirectory()) walk(path);
    else if (/\.(ts|mts|js|mjs)$/.test(entry)) check(path);
  }
}

const importPattern =
  /(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)|require\s*\(\s*["']([^"']+)["']\s*\)/g;
const globalPattern = /\b(process\.(env|argv|cwd|exit|stdout|stderr)|Buffer\.|__dirname|require\()/;

function check(path) {
  const text = readFileSync(path, "utf8");
  const file = relative(process.cwd(), path);
  for (const match of text.matchAll(importPattern)) {
    const specifier = match[1] ?? match[2] ?? match[3];
    const bare = specifier.replace(/^node:/, "").split("/")[0];
    if (specifier.startsWith("node:") || builtins.has(bare)) {
      const line = text.slice(0, match.index).split("\n").length;
      problems.push(`${file}:${line}: imports "${specifier}"; @stages/core must stay pure (move this to an adapter)`);
    }
  }
  text.split("\n").forEach((line, index) => {
    if (
      !path.endsWith(".test.ts") &&
      globalPattern.test(line) &&
      !line.trim().startsWith("//") &&
      !line.trim().startsWith("*")
    ) {
      problems.push(`${file}:${index + 1}: uses a Node global (${line.trim()}); @stages/core must stay pure`);
    }
  });
}

walk(join(root, "src"));
if (problems.length > 0) {
  console.error(`@stages/core purity check failed:\n${problems.map((problem) => `  ${problem}`).join("\n")}`);
  process.exit(1);
}
console.log("@stages/core is pure: no node: imports, no Node globals, no I/O dependencies");
