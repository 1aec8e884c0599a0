// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is Dockerfile variable syntax here, not a template.
import type { DockerInstructions } from "@stages/core";
import { emptyDockerInstructions, UsageError } from "@stages/core";
import { describe, expect, it } from "vitest";
import type { ContainerConfig } from "./image-config.js";
import {
  applyDockerfileChange,
  expandVariables,
  parseDuration,
  parseExposedPorts,
  parseHealthcheck,
  resolveWorkdir,
  stageCommitConfig,
  withShell,
} from "./image-config.js";

function instructions(fields: Partial<DockerInstructions>): DockerInstructions {
  return { ...emptyDockerInstructions(), ...fields };
}

const stage = { "io.stages.signature": "b".repeat(64), "io.stages.stage": "install" };

describe("stageCommitConfig", () => {
  it("keeps the base config and replaces the io.stages.* labels, blanking the ones the stage lacks", () => {
    const base: ContainerConfig = {
      Env: ["PATH=/bin"],
      Cmd: ["node"],
      Labels: { team: "taxi", "io.stages.signature": "a".repeat(64), "io.stages.parent": "c".repeat(64) },
      Hostname: "",
    };
    const config = stageCommitConfig(base, stage, null);
    expect(config).toEqual({
      Env: ["PATH=/bin"],
      Cmd: ["node"],
      Entrypoint: [],
      Hostname: "",
      Labels: {
        team: "taxi",
        "io.stages.signature": "b".repeat(64),
        "io.stages.parent": "",
        "io.stages.stage": "install",
      },
    });
    expect(base.Labels?.["io.stages.signature"]).toBe("a".repeat(64));
  });

  it("sends an empty Entrypoint as [] so the build container's never lands in the image", () => {
    expect(stageCommitConfig(null, {}, null).Entrypoint).toEqual([]);
    expect(stageCommitConfig({ Entrypoint: null, Cmd: null }, {}, null)).toMatchObject({ Entrypoint: [], Cmd: null });
    expect(stageCommitConfig({ Entrypoint: ["/init"] }, {}, null).Entrypoint).toEqual(["/init"]);
  });

  it("applies docker instructions; the stage labels win over LABEL", () => {
    const config = stageCommitConfig(
      { Env: ["PATH=/bin", "HOME=/root"], WorkingDir: "/srv", Cmd: ["old"], ExposedPorts: { "22/tcp": {} } },
      stage,
      instructions({
        ENV: { PATH: "/app/bin:$PATH", NODE_ENV: "production" },
        LABEL: { team: "taxi", where: "${HOME}", "io.stages.stage": "mine" },
        EXPOSE: ["8080", "53/udp"],
        VOLUME: ["/data"],
        WORKDIR: "app",
        USER: "app",
        HEALTHCHECK: "NONE",
      }),
    );
    expect(config.Env).toEqual(["PATH=/app/bin:/bin", "HOME=/root", "NODE_ENV=production"]);
    expect(config.Labels).toEqual({ team: "taxi", where: "/root", ...stage });
    expect(config.ExposedPorts).toEqual({ "22/tcp": {}, "8080/tcp": {}, "53/udp": {} });
    expect(config.Volumes).toEqual({ "/data": {} });
    expect(config.WorkingDir).toBe("/srv/app");
    expect(config.User).toBe("app");
    expect(config.Cmd).toEqual(["old"]);
    expect(config.Healthcheck).toEqual({ Test: ["NONE"] });
  });

  it("drops the inherited CMD when ENTRYPOINT is set without CMD, as a Dockerfile does", () => {
    expect(stageCommitConfig({ Cmd: ["old"] }, {}, instructions({ ENTRYPOINT: ["/run"] }))).toMatchObject({
      Entrypoint: ["/run"],
      Cmd: null,
    });
    expect(
      stageCommitConfig({ Cmd: ["old"] }, {}, instructions({ ENTRYPOINT: ["/run"], CMD: ["--fast"] })),
    ).toMatchObject({ Entrypoint: ["/run"], Cmd: ["--fast"] });
    expect(stageCommitConfig({ Entrypoint: ["/run"] }, {}, instructions({ CMD: ["x"] }))).toMatchObject({
      Entrypoint: ["/run"],
      Cmd: ["x"],
    });
  });
});

describe("expandVariables", () => {
  const env = new Map([
    ["HOME", "/root"],
    ["EMPTY", ""],
  ]);

  it("substitutes $NAME, ${NAME}, defaults and alternatives", () => {
    expect(expandVariables("$HOME/bin:${HOME}x", env)).toBe("/root/bin:/rootx");
    expect(expandVariables("${MISSING:-fallback} ${EMPTY:-e} ${HOME:-no}", env)).toBe("fallback e /root");
    expect(expandVariables("${HOME:+set} ${MISSING:+set}.", env)).toBe("set .");
    expect(expandVariables("$MISSING|", env)).toBe("|");
  });

  it("keeps escaped and lone dollars", () => {
    expect(expandVariables("\\$HOME costs $5 and $", env)).toBe("$HOME costs $5 and $");
  });

  it("rejects malformed references", () => {
    expect(() => expandVariables("${HOME", env)).not.toThrow();
    expect(() => expandVariables("${1BAD}", env)).toThrow(UsageError);
  });
});

describe("parseExposedPorts", () => {
  it("normalizes ports and expands ranges", () => {
    expect(parseExposedPorts("8080")).toEqual(["8080/tcp"]);
    expect(parseExposedPorts("53/UDP")).toEqual(["53/udp"]);
    expect(parseExposedPorts("8000-8002/tcp")).toEqual(["8000/tcp", "8001/tcp", "8002/tcp"]);
    expect(() => parseExposedPorts("http")).toThrow(UsageError);
    expect(() => parseExposedPorts("9-3")).toThrow(UsageError);
  });
});

describe("parseHealthcheck", () => {
  it("reads NONE, shell and exec forms with options", () => {
    expect(parseHealthcheck("NONE")).toEqual({ Test: ["NONE"] });
    expect(parseHealthcheck("CMD curl -f http://localhost/ || exit 1")).toEqual({
      Test: ["CMD-SHELL", "curl -f http://localhost/ || exit 1"],
    });
    expect(
      parseHealthcheck(
        '--interval=1m30s --timeout=500ms --start-period=2s --start-interval=1s --retries=4 CMD ["/bin/check", "-q"]',
      ),
    ).toEqual({
      Test: ["CMD", "/bin/check", "-q"],
      Interval: 90e9,
      Timeout: 500e6,
      StartPeriod: 2e9,
      StartInterval: 1e9,
      Retries: 4,
    });
  });

  it("rejects what Docker would reject", () => {
    expect(() => parseHealthcheck("--interval=5x CMD true")).toThrow(/invalid duration/);
    expect(() => parseHealthcheck("--every=5s CMD true")).toThrow(/unknown HEALTHCHECK option/);
    expect(() => parseHealthcheck("curl localhost")).toThrow(/invalid HEALTHCHECK/);
    expect(() => parseHealthcheck("--retries=-1 CMD true")).toThrow(/retries/);
  });

  it("parses Go durations", () => {
    expect(parseDuration("1h2m3s")).toBe(3723e9);
    expect(parseDuration("1.5s")).toBe(1.5e9);
    expect(() => parseDuration("")).toThrow(UsageError);
    expect(() => parseDuration("5")).toThrow(UsageError);
  });
});

describe("applyDockerfileChange", () => {
  const apply = (config: ContainerConfig, ...changes: Parameters<typeof applyDockerfileChange>[1][]) => {
    const copy = structuredClone(config);
    for (const change of changes) applyDockerfileChange(copy, change);
    return copy;
  };

  it("ENV replaces in place and appends new names in order", () => {
    const config = apply(
      { Env: ["PATH=/bin", "HOME=/root"] },
      {
        keyword: "ENV",
        env: [
          ["A", "1"],
          ["PATH", "/x:/bin"],
        ],
      },
      { keyword: "ENV", env: [["A", "2"]] },
    );
    expect(config.Env).toEqual(["PATH=/x:/bin", "HOME=/root", "A=2"]);
  });

  it("WORKDIR is relative to the current one and cleaned", () => {
    expect(resolveWorkdir("", "app")).toBe("/app");
    expect(resolveWorkdir("/srv", "a/../b/")).toBe("/srv/b");
    expect(resolveWorkdir("/srv", "/opt")).toBe("/opt");
    expect(apply({ WorkingDir: "/srv" }, { keyword: "WORKDIR", path: "app" }).WorkingDir).toBe("/srv/app");
  });

  it("CMD and ENTRYPOINT: shell forms with the SHELL in effect; ENTRYPOINT clears CMD unless the stage set it", () => {
    const shell = { Shell: ["/bin/bash", "-c"], Cmd: ["old"] };
    expect(withShell({}, null, "x")).toEqual(["/bin/sh", "-c", "x"]);
    expect(apply(shell, { keyword: "CMD", command: ["run"], shellForm: true, shell: null }).Cmd).toEqual([
      "/bin/bash",
      "-c",
      "run",
    ]);
    expect(apply(shell, { keyword: "ENTRYPOINT", command: ["e"], shellForm: false, shell: null })).toMatchObject({
      Entrypoint: ["e"],
      Cmd: null,
    });
    expect(
      apply(shell, { keyword: "ENTRYPOINT", command: ["e"], shellForm: false, shell: null, keepCmd: true }),
    ).toMatchObject({ Entrypoint: ["e"], Cmd: ["old"] });
  });

  it("the rest: LABEL, USER, EXPOSE, VOLUME, HEALTHCHECK without zero durations, STOPSIGNAL, ONBUILD, SHELL", () => {
    const config = apply(
      { Labels: { a: "1" }, OnBuild: ["RUN a"], ExposedPorts: { "22/tcp": {} } },
      { keyword: "LABEL", labels: [["b", "2"]] },
      { keyword: "USER", user: "app" },
      { keyword: "EXPOSE", ports: ["80/tcp"] },
      { keyword: "VOLUME", paths: ["/data"] },
      {
        keyword: "HEALTHCHECK",
        healthcheck: { test: ["CMD", "true"], interval: 5e9, timeout: 0, startPeriod: 0, startInterval: 0, retries: 2 },
      },
      { keyword: "STOPSIGNAL", signal: "SIGQUIT" },
      { keyword: "ONBUILD", trigger: "RUN b" },
      { keyword: "SHELL", shell: ["/bin/ash", "-c"] },
      { keyword: "MAINTAINER", author: "me" },
    );
    expect(config).toEqual({
      Labels: { a: "1", b: "2" },
      User: "app",
      ExposedPorts: { "22/tcp": {}, "80/tcp": {} },
      Volumes: { "/data": {} },
      Healthcheck: { Test: ["CMD", "true"], Interval: 5e9, Retries: 2 },
      StopSignal: "SIGQUIT",
      OnBuild: ["RUN a", "RUN b"],
      Shell: ["/bin/ash", "-c"],
    });
  });
});
