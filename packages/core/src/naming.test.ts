import { describe, expect, it } from "vitest";
import {
  descriptorFromLabels,
  finalReference,
  localStageName,
  parseStageTag,
  remoteStageReference,
  stageLabelsFor,
  stageTag,
} from "./naming.js";
import type { ContentId, Signature } from "./signature-type.js";

const signature = "a".repeat(64) as Signature;
const parent = "b".repeat(64) as Signature;

describe("naming", () => {
  it("names local stages, stage tags and final images", () => {
    expect(localStageName("taxi", signature)).toBe(`stages-storage/taxi:${signature}`);
    expect(stageTag(signature)).toBe(`image-stage-${signature}`);
    expect(remoteStageReference("registry.example.com/taxi", signature)).toBe(
      `registry.example.com/taxi:image-stage-${signature}`,
    );
    expect(finalReference("registry.example.com/taxi", null, "v1")).toBe("registry.example.com/taxi:v1");
    expect(finalReference("registry.example.com/taxi", "backend", "v1")).toBe("registry.example.com/taxi/backend:v1");
    // werf accepts image names with capitals; a Docker repository path is lower case.
    expect(finalReference("registry.example.com/taxi", "Team/BackEnd", "v1")).toBe(
      "registry.example.com/taxi/team/backend:v1",
    );
    expect(parseStageTag(stageTag(signature))).toBe(signature);
    expect(parseStageTag("latest")).toBeNull();
    expect(parseStageTag(`image-stage-${"A".repeat(64)}`)).toBeNull();
  });

  it("writes labels and reads the same descriptor back", () => {
    const carried = { "git-1": "d".repeat(64) as ContentId, "git-0": "c".repeat(64) as ContentId };
    const labels = stageLabelsFor({
      project: "taxi",
      image: "backend",
      stage: "gitArchive",
      signature,
      parent,
      carried,
    });
    expect(labels).toEqual({
      "io.stages.project": "taxi",
      "io.stages.image": "backend",
      "io.stages.stage": "gitArchive",
      "io.stages.signature": signature,
      "io.stages.parent": parent,
      "io.stages.carried": `{"git-0":"${"c".repeat(64)}","git-1":"${"d".repeat(64)}"}`,
      "io.stages.version": "1",
    });
    expect(descriptorFromLabels({ id: "sha256:x", labels: { ...labels, team: "taxi" } })).toMatchObject({
      signature,
      parent,
      image: "backend",
      stage: "gitArchive",
      carried,
      id: "sha256:x",
    });
    const nameless = stageLabelsFor({
      project: "taxi",
      image: null,
      stage: "from",
      signature,
      parent: null,
      carried: null,
    });
    expect(descriptorFromLabels({ id: "x", labels: nameless })).toMatchObject({
      image: null,
      parent: null,
      carried: null,
    });
  });

  it("ignores images that are not stages of this storage version", () => {
    expect(descriptorFromLabels({ id: "x", labels: null })).toBeNull();
    expect(descriptorFromLabels({ id: "x", labels: { "io.stages.signature": "nope" } })).toBeNull();
    const labels = stageLabelsFor({
      project: "taxi",
      image: null,
      stage: "from",
      signature,
      parent: null,
      carried: null,
    });
    expect(descriptorFromLabels({ id: "x", labels: { ...labels, "io.stages.version": "999" } })).toBeNull();
  });
});
