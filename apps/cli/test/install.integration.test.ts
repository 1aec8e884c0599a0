import { execFileSync } from "node:child_process";
import { computeSignature } from "@stages/core";
import { beforeAll, describe, expect, it } from "vitest";
import { makeRepository } from "./helpers.js";
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
});
