import { describe, expect, it } from "vitest";
import { buildDirectoryVolume, createOutputGuard } from "./build-mounts.js";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("createOutputGuard", () => {
  it("blanks a value split between two chunks of output, and holds back only the unfinished line", () => {
    const guard = createOutputGuard([bytes("s3cret-token\n")]);
    expect(guard.push("stdout", "first line\ntoken: s3cr")).toBe("first line\n");
    expect(guard.push("stdout", "et-token and more")).toBe("");
    expect(guard.push("stderr", "other stream\n")).toBe("other stream\n");
    expect(guard.flush("stdout")).toBe("token: *** and more");
    expect(guard.flush("stdout")).toBe("");
  });

  it("blanks each line of a multi-line value", () => {
    const guard = createOutputGuard([bytes("line-one-secret\nline-two-secret\n")]);
    expect(guard.push("stdout", "a line-two-secret b\n")).toBe("a *** b\n");
  });

  it("lets a long line without newline through, keeping a secret's length back", () => {
    const guard = createOutputGuard([bytes("abcdefgh")]);
    const shown = guard.push("stdout", "x".repeat(70 * 1024));
    expect(shown.length).toBe(70 * 1024 - 8);
    expect(guard.flush("stdout")).toBe("xxxxxxxx");
  });
});

describe("buildDirectoryVolume", () => {
  it("names one volume per project and mount point, valid for the engine", () => {
    const name = buildDirectoryVolume("demo", "/var/cache/apt");
    expect(name).toMatch(/^stages-build-dir-demo-var-cache-apt-[0-9a-f]{8}$/);
    expect(buildDirectoryVolume("demo", "/var/cache/apt")).toBe(name);
    expect(buildDirectoryVolume("other", "/var/cache/apt")).not.toBe(name);
    expect(buildDirectoryVolume("demo", "/var/cache-apt")).not.toBe(name);
    expect(buildDirectoryVolume("demo", `/${"x".repeat(300)}`).length).toBeLessThan(100);
  });
});
