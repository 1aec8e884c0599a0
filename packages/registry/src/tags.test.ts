import { describe, expect, it } from "vitest";
import { nextLink } from "./tags.js";

describe("nextLink", () => {
  it("finds the rel=next target", () => {
    expect(nextLink('</v2/a/tags/list?n=2&last=b>; rel="next"')).toBe("/v2/a/tags/list?n=2&last=b");
    expect(nextLink("<https://r.example.com/v2/a/tags/list?last=b>; rel=next")).toBe(
      "https://r.example.com/v2/a/tags/list?last=b",
    );
    expect(nextLink('</first>; rel="prev", </second>; rel="next"')).toBe("/second");
  });

  it("returns null without one", () => {
    expect(nextLink(null)).toBeNull();
    expect(nextLink('</x>; rel="prev"')).toBeNull();
    expect(nextLink("garbage")).toBeNull();
  });
});
