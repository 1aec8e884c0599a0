import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repositoryRoot, stateDirectory } from "./paths.js";

// `./dev` evals what `testenv env` prints, so on a fresh machine, where the package step runs,
// nothing of apt-get, dpkg or any other child may reach stdout. These are stand-ins that behave
// like the real ones do: chatty on stdout.
const fakeAptGet = `#!/bin/sh
echo "Reading package lists..."
if [ "$1" = install ]; then
  echo "Selecting previously unselected package stages-testenv-fake-package."
  dpkg --unpack stages-testenv-fake-package.deb
  printf '#!/bin/sh\\nexit 0\\n' > "$(dirname "$0")/stages-testenv-fake-tool"
  chmod +x "$(dirname "$0")/stages-testenv-fake-tool"
  echo "Setting up stages-testenv-fake-package (1.0) ..."
fi
`;
const fakeDpkg = `#!/bin/sh
echo "Unpacking stages-testenv-fake-package (1.0) ..."
`;

describe("testenv env on a machine that lacks a package", () => {
  let work: string;
  let cli: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "stages-testenv-stdout-"));
    // The CLI as it ships, built from these sources (dist/ may be older than them).
    const tsup = join(repositoryRoot(), "node_modules", ".bin", "tsup");
    const build = spawnSync(
      tsup,
      ["src/cli.ts", "--no-config", "--format", "esm", "--target", "node20", "--out-dir", join(work, "cli")],
      { cwd: join(repositoryRoot(), "tooling", "testenv"), encoding: "utf8" },
    );
    if (build.status !== 0) throw new Error(`tsup failed: ${build.stderr}${build.stdout}`);
    cli = join(work, "cli", "cli.js");
    for (const [name, text] of Object.entries({ "apt-get": fakeAptGet, dpkg: fakeDpkg })) {
      writeFileSync(join(work, name), text);
      chmodSync(join(work, name), 0o755);
    }
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("prints nothing but export lines on stdout while apt-get installs it", () => {
    const result = spawnSync(process.execPath, [cli, "env"], {
      encoding: "utf8",
      env: {
        ...process.env,
        PATH: `${work}:${process.env.PATH}`,
        STAGES_TESTENV_DIR: stateDirectory(),
        STAGES_TESTENV_PACKAGES: "stages-testenv-fake-tool=stages-testenv-fake-package",
      },
    });
    expect(result.stderr).toContain("installing stages-testenv-fake-package with apt-get");
    // The package step did run, and what apt and dpkg said went to stderr.
    expect(result.stderr).toContain("Selecting previously unselected package stages-testenv-fake-package.");
    expect(result.stderr).toContain("Unpacking stages-testenv-fake-package (1.0) ...");
    expect(result.status).toBe(0);
    const lines = result.stdout.split("\n").filter((line) => line !== "");
    for (const line of lines) expect(line).toMatch(/^export [A-Z_]+=/);
    expect(lines.map((line) => line.slice("export ".length).split("=")[0])).toEqual(
      expect.arrayContaining(["STAGES_TEST_DOCKER_HOST_A", "STAGES_TEST_SSH_DOCKER_HOST", "STAGES_TEST_REDIS_URL"]),
    );
  });
});
