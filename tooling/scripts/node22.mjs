#!/usr/bin/env node
// Installs a Node 22 from the npm registry (package `node@22`, whose install fetches the platform's
// binary package, also from the registry) into .tools/node22, git-ignored, and prints the binary's
// path. The CLI supports Node 22 and 24 and keeps working on the Node 20 of this machine: the bench
// and the start-up checks run it under both. Run again to reuse what is there.
//
//   node tooling/scripts/node22.mjs          installs if missing, prints the path of node 22
//   "$(node tooling/scripts/node22.mjs)" apps/cli/dist/main.js --version
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const prefix = join(root, ".tools", "node22");
const binary = join(prefix, "node_modules", "node", "bin", "node");

function version() {
  try {
    return execFileSync(binary, ["--version"], { encoding: "utf8" }).trim();
  } catch {
    return null;
  }
}

if (!existsSync(binary) || !version()?.startsWith("v22.")) {
  process.stderr.write(`[node22] npm install --prefix ${prefix} node@22\n`);
  // stdout stays the binary's path alone: npm's output goes to stderr.
  execFileSync("npm", ["install", "--prefix", prefix, "--no-save", "--no-audit", "--no-fund", "node@22"], {
    stdio: ["ignore", process.stderr, process.stderr],
  });
  const installed = version();
  if (!installed?.startsWith("v22.")) {
    process.stderr.write(`[node22] ${binary} does not run as Node 22 (${installed ?? "no version"})\n`);
    process.exit(1);
  }
}
process.stdout.write(`${binary}\n`);
