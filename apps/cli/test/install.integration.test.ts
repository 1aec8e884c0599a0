import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { computeSignature } from "@stages/core";
import { beforeAll, describe, expect, it } from "vitest";
import { makeRepository, repositoryRoot } from "./helpers.js";
import {
  folderSize,
  type GlobalCli,
  installedPackages,
  installGlobalCli,
  installProject,
  packPackages,
  workspaceManifest,
} from "./packed.js";

// What a user gets from npm: the packed tarballs, installed by npm outside the repository.
describe("stages installed from its packed tarballs", () => {
  let tarballs: Record<"@stages/cli" | "@stages/core" | "@stages/registry", string>;
  let cli: GlobalCli;

  beforeAll(async () => {
    tarballs = await packPackages(["@stages/cli", "@stages/core", "@stages/registry"]);
    cli = await installGlobalCli(tarballs["@stages/cli"]);
  });

  it("installs the CLI globally with only what its bundle loads", () => {
    // @stages/* are bundled into the CLI: clipanion and typanion are all it loads at run time.
    const installed = installedPackages(`${cli.prefix}/lib/node_modules`);
    expect(installed).toEqual(["@stages/cli", "clipanion", "typanion"]);
    const megabytes = folderSize(cli.packageFolder) / 1e6;
    console.log(`global install: ${installed.length} packages, ${megabytes.toFixed(2)} MB`);
    expect(megabytes).toBeLessThan(5);
  });

  it("reports the version of its package.json and runs a command", async () => {
    const directory = makeRepository({
      "stages.yaml": "project: installed\nconfigVersion: 1\n---\nimage: app\nfrom: alpine:3.20\n",
    });
    const version = await cli.stages(["--version"], { cwd: directory });
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(workspaceManifest("@stages/cli").version);
    const render = await cli.stages(["config", "render"], { cwd: directory });
    expect(render.code, render.stderr).toBe(0);
    expect(render.stdout).toContain("image: app");
  });

  it("lets a third-party project use @stages/core and @stages/registry from ESM and from CommonJS", async () => {
    // The registry's User-Agent carries the version its build read from package.json.
    const compute = (load: string) => `${load}
(async () => {
  const result = parseConfig("project: demo\\nconfigVersion: 1\\n---\\nimage: app\\nfrom: alpine:3.20\\n", { file: "stages.yaml" });
  let userAgent = null;
  const fetch = async (url, init) => {
    userAgent = new Headers(init?.headers).get("user-agent");
    return new Response(null, { status: 404 });
  };
  const client = createRegistryClient({ fetch, insecureRegistries: ["registry.invalid"] });
  await client.headManifest("registry.invalid/app:1").catch(() => {});
  console.log(JSON.stringify({
    images: result.config.images.map((image) => image.name),
    errors: result.errors.length,
    reference: formatReference(parseReference("alpine")),
    signature: computeSignature({ project: "demo", stage: "from", deps: { image: "alpine" }, prev: null, carried: null }),
    userAgent,
  }));
})();
`;
    const directory = await installProject(
      {
        "@stages/core": `file:${tarballs["@stages/core"]}`,
        "@stages/registry": `file:${tarballs["@stages/registry"]}`,
      },
      {
        "esm.mjs": compute(
          'import { computeSignature, formatReference, parseConfig, parseReference } from "@stages/core";\nimport { createRegistryClient } from "@stages/registry";',
        ),
        "cjs.cjs": compute(
          'const { computeSignature, formatReference, parseConfig, parseReference } = require("@stages/core");\nconst { createRegistryClient } = require("@stages/registry");',
        ),
      },
    );
    const outputs = ["esm.mjs", "cjs.cjs"].map((file) =>
      JSON.parse(execFileSync(process.execPath, [file], { cwd: directory, encoding: "utf8" })),
    );
    const expected = {
      images: ["app"],
      errors: 0,
      reference: "docker.io/library/alpine",
      // What the workspace's own core computes.
      signature: computeSignature({
        project: "demo",
        stage: "from",
        deps: { image: "alpine" },
        prev: null,
        carried: null,
      }),
      userAgent: `stages-registry/${workspaceManifest("@stages/registry").version}`,
    };
    expect(outputs).toEqual([expected, expected]);
  });

  it("runs a project-local plugin's command and storage, the plugin with its own clipanion and core", async () => {
    // The example plugin as its author would publish it, installed next to stages.yaml: npm gives
    // it its own clipanion and @stages/core, never the global CLI's.
    const plugin = {
      name: "stages-plugin-directory-storage",
      version: "0.1.0",
      type: "module",
      exports: "./index.js",
      dependencies: { "@stages/core": `file:${tarballs["@stages/core"]}`, clipanion: "3.2.1" },
    };
    const signature = "ab".repeat(32);
    const labels = {
      "io.stages.project": "installed",
      "io.stages.image": "app",
      "io.stages.stage": "from",
      "io.stages.signature": signature,
      "io.stages.version": "1",
    };
    const directory = await installProject(
      { "stages-plugin-directory-storage": "file:./plugin" },
      {
        "plugin/package.json": JSON.stringify(plugin),
        "plugin/index.js": readFileSync(join(repositoryRoot, "examples/plugin-directory-storage/index.js"), "utf8"),
        "stages.yaml":
          "project: installed\nconfigVersion: 1\nplugins: [stages-plugin-directory-storage]\nadapters:\n  remoteStorage: directory\n---\nimage: app\nfrom: alpine:3.20\n",
        [`stages-cache/${signature}.json`]: JSON.stringify({ id: "sha256:example", labels }),
      },
    );
    // Two copies of clipanion: the plugin's, in the project, and the global CLI's.
    const pluginClipanion = createRequire(join(directory, "plugin", "index.js")).resolve("clipanion");
    expect(pluginClipanion.startsWith(directory)).toBe(true);
    const info = await cli.stages(["directory-info", "--count", "stages-cache"], { cwd: directory });
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout).toBe("directory storage at stages-cache, from stages-plugin-directory-storage\n1 stage\n");
    // The storage stages.yaml chooses, its location under the plugin's typed setting directory.root.
    const list = await cli.stages(["list", "stages-cache", "--json"], {
      cwd: directory,
      env: { STAGES_DIRECTORY_ROOT: directory },
    });
    expect(list.code, list.stderr).toBe(0);
    expect(list.json.storage).toBe(`directory ${join(directory, "stages-cache")}`);
    expect(list.json.stages.map((stage: { signature: string }) => stage.signature)).toEqual([signature]);
  });
});
