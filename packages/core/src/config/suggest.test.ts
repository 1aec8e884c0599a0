import { describe, expect, it } from "vitest";
import { didYouMean, editDistance, suggestClosest } from "./suggest.js";

describe("editDistance", () => {
  it.each([
    ["", "", 0],
    ["install", "install", 0],
    ["instal", "install", 1],
    ["gti", "git", 1],
    ["kitten", "sitting", 3],
    ["", "abc", 3],
  ])("%j to %j is %d", (left, right, distance) => {
    expect(editDistance(left, right)).toBe(distance);
    expect(editDistance(right, left)).toBe(distance);
  });
});

describe("suggestClosest", () => {
  const directives = ["from", "fromImage", "fromArtifact", "git", "shell", "import", "docker"];

  it("finds typos", () => {
    expect(suggestClosest("form", directives)).toBe("from");
    expect(suggestClosest("fromImgae", directives)).toBe("fromImage");
    expect(suggestClosest("imprt", directives)).toBe("import");
  });

  it("ignores case", () => {
    expect(suggestClosest("env", ["ENV", "LABEL"])).toBe("ENV");
    expect(suggestClosest("fromimage", directives)).toBe("fromImage");
  });

  it("suggests nothing for unrelated words", () => {
    expect(suggestClosest("ansible", directives)).toBeNull();
    expect(suggestClosest("xyz", directives)).toBeNull();
  });

  it("words a hint, and gives none for an exact match", () => {
    expect(didYouMean("instal", ["install", "setup"])).toBe('did you mean "install"?');
    expect(didYouMean("install", ["install"])).toBeNull();
  });
});
