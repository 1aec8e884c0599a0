import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, UsageError } from "@stages/core";
import { describe, expect, it } from "vitest";
import { loadProject } from "./project.js";

const config = (project: string) => `project: ${project}\nconfigVersion: 1\n---\nimage: app\nfrom: alpine:3.20\n`;

function directory(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "stages-project-"));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

describe("loadProject", () => {
  it("prefers stages.yaml, falls back to werf.yaml, and takes --config", async () => {
    const both = directory({ "stages.yaml": config("fromstages"), "werf.yaml": config("fromwerf") });
    expect((await loadProject({ cwd: both })).config.meta.project).toBe("fromstages");
    const werf = directory({ "werf.yaml": config("fromwerf") });
    expect((await loadProject({ cwd: werf })).config.meta.project).toBe("fromwerf");
    const custom = directory({ "ci/custom.yaml": config("custom") });
    expect((await loadProject({ cwd: custom, config: "ci/custom.yaml" })).config.meta.project).toBe("custom");
    const nested = directory({ "sub/stages.yaml": config("nested") });
    const project = await loadProject({ cwd: nested, dir: "sub" });
    expect(project.directory).toBe(join(nested, "sub"));
  });

  it("says where to look when there is no config, and reports every problem with its position", async () => {
    const empty = directory({});
    await expect(loadProject({ cwd: empty })).rejects.toSatisfy(
      (error: unknown) => UsageError.isInstance(error) && /no stages\.yaml/.test((error as Error).message),
    );
    const broken = directory({
      "stages.yaml":
        "project: p\nconfigVersion: 1\n---\nimage: app\nfrom: alpine\nshell:\n  instal: [x]\nfromLatest: maybe\n",
    });
    const failure = await loadProject({ cwd: broken }).catch((error: unknown) => error);
    expect(ConfigError.isInstance(failure)).toBe(true);
    const formatted = (failure as ConfigError).problems.map((problem) => problem.formatted);
    expect(formatted.some((line) => line.startsWith("stages.yaml:7:3:") && line.includes('"install"'))).toBe(true);
    expect(formatted.length).toBeGreaterThanOrEqual(2);
  });
});
