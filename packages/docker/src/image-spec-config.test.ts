import type { ImageSpecConfig } from "@stages/core";
import { emptyImageSpec } from "@stages/core/internal";
import { describe, expect, it } from "vitest";
import { applyImageSpec, type ImageConfigFile } from "./image-spec-config.js";

const position = { file: "werf.yaml", line: 1, column: 1 };

function spec(changes: Partial<ImageSpecConfig>): ImageSpecConfig {
  return { ...emptyImageSpec(position), ...changes };
}

const base: ImageConfigFile = {
  architecture: "amd64",
  os: "linux",
  created: "2020-01-01T00:00:00Z",
  author: "base author",
  config: {
    User: "base",
    Env: ["PATH=/bin", "DEBUG=1", "TMP_A=x", "KEEP=y"],
    Cmd: ["sh"],
    Entrypoint: ["/init"],
    Volumes: { "/data": {}, "/logs": {} },
    WorkingDir: "/base",
    ExposedPorts: { "80/tcp": {} },
    Labels: {
      maintainer: "someone",
      "org.opencontainers.image.title": "t",
      team: "a",
      "io.stages.signature": "old",
      "io.stages.image": "old",
    },
  },
  rootfs: { type: "layers", diff_ids: ["sha256:aa"] },
  history: [{ created_by: "base" }],
};

const stageLabels = {
  "io.stages.project": "demo",
  "io.stages.image": "app",
  "io.stages.stage": "imageSpec",
  "io.stages.signature": "f".repeat(64),
  "io.stages.parent": "e".repeat(64),
  "io.stages.version": "1",
  "io.stages.carried": "{}",
};
const context = { project: "demo", image: "app", stageLabels, created: "2026-12-02T00:00:00.000Z" };

describe("applyImageSpec", () => {
  it("changes nothing but the stage's labels and time when the spec is empty", () => {
    const result = applyImageSpec(base, spec({}), context);
    expect(result.rootfs).toEqual(base.rootfs);
    expect(result.history).toEqual(base.history);
    expect(result.author).toBe("base author");
    expect(result.created).toBe(context.created);
    expect(result.config?.Env).toEqual(base.config?.Env);
    expect(result.config?.Labels).toEqual({
      maintainer: "someone",
      "org.opencontainers.image.title": "t",
      team: "a",
      ...stageLabels,
    });
  });

  it("removes env, volumes and labels (names and whole-name regexps) and adds the new ones", () => {
    const result = applyImageSpec(
      base,
      spec({
        removeEnv: [
          { kind: "name", name: "DEBUG" },
          { kind: "regexp", source: "TMP_.*" },
        ],
        env: { MODE: "prod", FULL: "$PATH:/opt" },
        removeVolumes: ["/data"],
        volumes: ["/cache"],
        removeLabels: [
          { kind: "name", name: "maintainer" },
          { kind: "regexp", source: "org\\.opencontainers\\..*" },
        ],
        labels: { "made-by": "%project%/%image%" },
      }),
      context,
    );
    expect(result.config?.Env).toEqual(["PATH=/bin", "KEEP=y", "FULL=/bin:/opt", "MODE=prod"]);
    expect(result.config?.Volumes).toEqual({ "/logs": {}, "/cache": {} });
    expect(result.config?.Labels).toEqual({ team: "a", "made-by": "demo/app", ...stageLabels });
  });

  it("keeps the essential stage labels whatever removeLabels and clearWerfLabels say", () => {
    const result = applyImageSpec(
      base,
      spec({ clearWerfLabels: true, removeLabels: [{ kind: "regexp", source: "io\\.stages\\..*" }] }),
      context,
    );
    expect(result.config?.Labels).toEqual({
      maintainer: "someone",
      "org.opencontainers.image.title": "t",
      team: "a",
      "io.stages.project": "demo",
      "io.stages.stage": "imageSpec",
      "io.stages.signature": "f".repeat(64),
      "io.stages.parent": "e".repeat(64),
      "io.stages.version": "1",
    });
  });

  it("sets the config fields as werf's UpdateConfigFile does", () => {
    const result = applyImageSpec(
      base,
      spec({
        author: "me",
        clearHistory: true,
        entrypoint: ["/bin/app"],
        workingDir: "/srv",
        user: "app",
        stopSignal: "SIGINT",
        expose: ["8080", "53/udp"],
        healthcheck: { test: ["CMD", "true"], interval: 30, timeout: 0, startPeriod: 5, retries: 3 },
      }),
      context,
    );
    expect(result.author).toBe("me");
    expect(result.history).toEqual([]);
    expect(result.config).toMatchObject({
      Entrypoint: ["/bin/app"],
      // A new entrypoint resets the inherited cmd.
      Cmd: null,
      WorkingDir: "/srv",
      User: "app",
      StopSignal: "SIGINT",
      // expose replaces the ports.
      ExposedPorts: { "8080/tcp": {}, "53/udp": {} },
      Healthcheck: { Test: ["CMD", "true"], Interval: 30e9, StartPeriod: 5e9, Retries: 3 },
    });
    const cleared = applyImageSpec(
      base,
      spec({ clearCmd: true, clearEntrypoint: true, clearUser: true, clearWorkingDir: true }),
      context,
    );
    expect(cleared.config).toMatchObject({ Cmd: null, Entrypoint: null, User: "", WorkingDir: "" });
    expect(applyImageSpec(base, spec({ cmd: ["serve"] }), context).config).toMatchObject({
      Cmd: ["serve"],
      Entrypoint: ["/init"],
    });
  });

  it("does not change the base config it is given", () => {
    const copy = structuredClone(base);
    applyImageSpec(base, spec({ removeEnv: [{ kind: "name", name: "DEBUG" }], clearHistory: true }), context);
    expect(base).toEqual(copy);
  });
});
