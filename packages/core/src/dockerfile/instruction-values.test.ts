import { describe, expect, it } from "vitest";
import { normalizePorts, parseGoDuration, platformArgs } from "./instruction-values.js";

describe("normalizePorts and parseGoDuration", () => {
  it("normalizes ports", () => {
    expect(normalizePorts(["80", "53/UDP", "1-2/sctp"])).toEqual(["80/tcp", "53/udp", "1/sctp", "2/sctp"]);
    expect(normalizePorts(["70000"])).toBe("EXPOSE 70000 is not a valid port range");
  });
  it("parses Go durations", () => {
    expect(parseGoDuration("1h2m3.5s")).toBe(3723.5e9);
    expect(parseGoDuration("0")).toBe(0);
    expect(parseGoDuration("10us")).toBe(10_000);
    expect(parseGoDuration("5")).toBeNull();
    expect(parseGoDuration("-1s")).toBe(-1e9);
  });
});

describe("platformArgs", () => {
  it("defines BuildKit's platform args", () => {
    expect(Object.fromEntries(platformArgs("linux/arm/v7"))).toEqual({
      BUILDPLATFORM: "linux/arm/v7",
      BUILDOS: "linux",
      BUILDOSVERSION: "",
      BUILDARCH: "arm",
      BUILDVARIANT: "v7",
      TARGETPLATFORM: "linux/arm/v7",
      TARGETOS: "linux",
      TARGETOSVERSION: "",
      TARGETARCH: "arm",
      TARGETVARIANT: "v7",
    });
  });
});
