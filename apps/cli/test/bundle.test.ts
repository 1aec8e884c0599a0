// The CLI bundle keeps what a run rarely or never uses out of its start (defer-engine-extras.ts):
// dockerode's BuildKit-session gRPC code is not in it at all, ssh2 sits in a chunk of its own that
// only an ssh:// connection imports, and dockerode is a file of its own required when an engine is used.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { binary, cliRoot } from "./helpers.js";

const dist = join(cliRoot, "dist");

function read(file: string): string {
  if (!existsSync(join(dist, file))) throw new Error(`${join(dist, file)} is missing: run \`pnpm build\` first`);
  return readFileSync(join(dist, file), "utf8");
}

/** The files a start of main.js loads before any dynamic import: its static import graph. */
function staticGraph(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const match of read(file).matchAll(
      /^(?:import|export)\b[^;]*?from\s+"\.\/([^"]+)"|^import\s+"\.\/([^"]+)"/gm,
    )) {
      visit(match[1] ?? match[2] ?? "");
    }
  };
  visit(entry);
  return [...seen];
}

/** Every file main.js can reach, dynamic imports included. */
function fullGraph(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const match of read(file).matchAll(/(?:from\s+|import\s*\(\s*|import\s+)"\.\/([^"]+)"/g))
      visit(match[1] ?? "");
  };
  visit(entry);
  return [...seen];
}

describe("the CLI bundle", () => {
  it("holds no gRPC or protobuf code (dockerode's BuildKit session is left out)", () => {
    for (const file of readdirSync(dist).filter((name) => /\.c?js$/.test(name))) {
      expect(read(file), file).not.toMatch(/@grpc|protobufjs/);
    }
  });

  it("keeps ssh2 out of what a start loads: it is in a chunk reached only by a dynamic import", () => {
    const start = staticGraph("main.js");
    for (const file of start) expect(read(file), file).not.toMatch(/node_modules\/ssh2\//);
    const withSsh = fullGraph("main.js").filter((file) => /node_modules\/ssh2\//.test(read(file)));
    expect(withSsh).toHaveLength(1);
    expect(start).not.toContain(withSsh[0]);
  });

  it("keeps dockerode in dockerode.cjs, which no start loads", () => {
    const start = staticGraph("main.js");
    for (const file of fullGraph("main.js")) expect(read(file), file).not.toMatch(/node_modules\/\.pnpm\/dockerode@/);
    expect(start).not.toContain("dockerode.cjs");
    expect(read("dockerode.cjs")).toMatch(/node_modules\/\.pnpm\/dockerode@.*\/lib\/docker\.js/);
  });

  it("keeps dockerode's build-context, hijack and debug modules in dockerode-extras.cjs, loaded on first use", () => {
    const dockerode = read("dockerode.cjs");
    for (const name of ["tar-fs", "readable-stream", "@balena\\+dockerignore", "debug"]) {
      expect(dockerode).not.toMatch(new RegExp(`node_modules/\\.pnpm/${name}@`));
      expect(read("dockerode-extras.cjs")).toMatch(new RegExp(`node_modules/\\.pnpm/${name}@`));
    }
    // The proxies in dockerode.cjs reach the real modules.
    const script = `const D = require("./dockerode.cjs"); const d = new D({ socketPath: "/nonexistent" });
      const extras = require("./dockerode-extras.cjs");
      console.log(JSON.stringify([typeof D, typeof d.modem.dial, typeof extras["tar-fs"]().pack,
        typeof extras["@balena/dockerignore"](), typeof extras["./http_duplex"]()]));`;
    const result = spawnSync(process.execPath, ["-e", script], { cwd: dist, encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual(["function", "function", "function", "function", "function"]);
  });

  it("does not initialise dockerode for a command that needs no engine (config check)", () => {
    // A CPU profile names every CommonJS module initialiser the run executed (esbuild names them by
    // path). Three runs, so that a short initialiser the sampler missed once is seen in another.
    // (--version loads neither yaml nor dockerode: startup-modules.test.ts.)
    const directory = join(cliRoot, "node_modules", ".bundle-test-profile");
    rmSync(directory, { recursive: true, force: true });
    const project = join(directory, "project");
    mkdirSync(project, { recursive: true });
    writeFileSync(
      join(project, "stages.yaml"),
      "project: profile\nconfigVersion: 1\n---\nimage: app\nfrom: alpine:3.20\n",
    );
    for (let run = 0; run < 3; run++) {
      const result = spawnSync(
        process.execPath,
        [
          "--cpu-prof",
          "--cpu-prof-interval",
          "50",
          `--cpu-prof-dir=${directory}`,
          binary,
          "config",
          "check",
          "--dir",
          project,
        ],
        { encoding: "utf8" },
      );
      expect(result.status, result.stderr).toBe(0);
    }
    const names = new Set<string>();
    for (const name of readdirSync(directory).filter((file) => file.endsWith(".cpuprofile"))) {
      const profile = JSON.parse(readFileSync(join(directory, name), "utf8")) as {
        nodes: { callFrame: { functionName: string } }[];
      };
      for (const node of profile.nodes) names.add(node.callFrame.functionName);
    }
    rmSync(directory, { recursive: true, force: true });
    // The profiles do see module initialisers (config check parses the config with yaml)...
    expect([...names].some((name) => name.includes("node_modules/yaml/"))).toBe(true);
    // ...and none of dockerode's or docker-modem's.
    expect([...names].filter((name) => /node_modules\/(dockerode|docker-modem)\//.test(name))).toEqual([]);
  });
});
