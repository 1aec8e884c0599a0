import { describe, expect, it } from "vitest";
import { platformMatches } from "./stage-builder.js";

describe("platformMatches", () => {
  it("matches the engine's os and architecture, any variant when the engine reports none", () => {
    expect(platformMatches("linux/amd64", "linux/amd64")).toBe(true);
    expect(platformMatches("Linux/AMD64", "linux/amd64")).toBe(true);
    expect(platformMatches("linux/arm64/v8", "linux/arm64")).toBe(true);
    expect(platformMatches("linux/arm/v7", "linux/arm/v7")).toBe(true);
  });

  it("refuses another architecture, os or variant", () => {
    expect(platformMatches("linux/arm64", "linux/amd64")).toBe(false);
    expect(platformMatches("windows/amd64", "linux/amd64")).toBe(false);
    expect(platformMatches("linux/arm/v6", "linux/arm/v7")).toBe(false);
  });
});
