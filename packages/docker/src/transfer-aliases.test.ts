import { describe, expect, it } from "vitest";
import { isStageAlias, leftoverNames } from "./transfer-aliases.js";

const sig = "a".repeat(64);
const project = "taxi";

describe("transfer names", () => {
  it("knows a stage alias from the stage's own name and from a user's tag", () => {
    expect(isStageAlias(`r.io:5000/x/y:image-stage-${sig}`, project)).toBe(true);
    expect(isStageAlias(`stages-storage/taxi:image-stage-${sig}`, project)).toBe(false);
    expect(isStageAlias(`r.io/x:v1`, project)).toBe(false);
    expect(isStageAlias(`r.io/x:image-stage-abc`, project)).toBe(false);
  });

  it("lists aliases and digest references, but no user name nor the digest of a user-tagged repository", () => {
    const image = {
      RepoTags: [`stages-storage/taxi:${sig}`, `r/a:image-stage-${sig}`, "r/b:v1", "mine:latest"],
      RepoDigests: ["r/a@sha256:1", "r/b@sha256:2", "r/c@sha256:3", "stages-storage/taxi@sha256:4"],
    };
    expect(leftoverNames(image, project).sort()).toEqual([`r/a:image-stage-${sig}`, "r/a@sha256:1", "r/c@sha256:3"]);
    expect(leftoverNames(image, project, "r/c")).toEqual(["r/c@sha256:3"]);
    expect(leftoverNames({ RepoTags: null, RepoDigests: null }, project)).toEqual([]);
  });
});
