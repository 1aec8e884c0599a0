// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is Dockerfile variable syntax here, not a template.
import { posix } from "node:path";
import type { DockerfileConfigChange, DockerInstructions } from "@stages/core";
import { UsageError } from "@stages/core";

/** The part of an image (or container) config a stage touches; other fields pass through. */
export interface ContainerConfig {
  User?: string;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Entrypoint?: string[] | null;
  Labels?: Record<string, string> | null;
  ExposedPorts?: Record<string, object> | null;
  Volumes?: Record<string, object> | null;
  WorkingDir?: string;
  Healthcheck?: HealthConfig | null;
  StopSignal?: string;
  OnBuild?: string[] | null;
  Shell?: string[] | null;
  [key: string]: unknown;
}

/** Docker's health check config; durations in nanoseconds. */
export interface HealthConfig {
  Test: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/** Prefix of the labels stages owns; a stage's labels replace all of them. */
const stagesLabelPrefix = "io.stages.";

/**
 * The config to commit a stage with: the base image's config, the stage's labels in place of the
 * base's `io.stages.*` ones, and the docker instructions when the stage has them.
 *
 * The engine fills what the commit config leaves empty from the build container's config
 * (daemon `merge`), so: a label of the base that the stage no longer has is set to "" (labels
 * cannot be removed; "" reads as absent), and an empty Entrypoint is sent as [] (stored as none)
 * so that the build container's `/bin/sh -c` never lands in the image. The build container is
 * created with an Entrypoint and no Cmd, so an empty Cmd stays empty.
 */
export function stageCommitConfig(
  base: ContainerConfig | null,
  labels: Readonly<Record<string, string>>,
  instructions: DockerInstructions | null,
  change: DockerfileConfigChange | null = null,
): ContainerConfig {
  const config: ContainerConfig = structuredClone(base ?? {});
  config.Labels = withoutStageLabels(config.Labels);
  if (instructions !== null) applyInstructions(config, instructions);
  if (change !== null) applyDockerfileChange(config, change);
  config.Labels = { ...config.Labels, ...labels };
  if (!config.Entrypoint || config.Entrypoint.length === 0) config.Entrypoint = [];
  return config;
}

/** The labels of a base with its `io.stages.*` ones set to "" (the engine cannot remove a label; "" reads as absent). */
export function withoutStageLabels(
  labels: Readonly<Record<string, string>> | null | undefined,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels ?? {})) result[key] = key.startsWith(stagesLabelPrefix) ? "" : value;
  return result;
}

/** The shell BuildKit runs shell forms with when neither SHELL nor the image sets one. */
export const defaultShell: readonly string[] = ["/bin/sh", "-c"];

/** The argv of a shell-form command: the SHELL in effect, else the image's Shell, else `/bin/sh -c`. */
export function withShell(config: ContainerConfig, shell: readonly string[] | null, commandLine: string): string[] {
  const effective = shell ?? (config.Shell && config.Shell.length > 0 ? config.Shell : defaultShell);
  return [...effective, commandLine];
}

/**
 * Applies one evaluated Dockerfile metadata instruction as BuildKit's dispatcher does (values are
 * expanded already). WORKDIR only sets the config: creating the directory is the builder's work.
 */
export function applyDockerfileChange(config: ContainerConfig, change: DockerfileConfigChange): void {
  switch (change.keyword) {
    case "ENV": {
      const env = [...(config.Env ?? [])];
      for (const [key, value] of change.env) {
        // Replaced in place when present, appended otherwise (BuildKit's addEnv).
        const index = env.findIndex((entry) => entry === key || entry.startsWith(`${key}=`));
        if (index === -1) env.push(`${key}=${value}`);
        else env[index] = `${key}=${value}`;
      }
      config.Env = env;
      return;
    }
    case "LABEL":
      config.Labels = { ...(config.Labels ?? {}), ...Object.fromEntries(change.labels) };
      return;
    case "WORKDIR":
      config.WorkingDir = resolveWorkdir(config.WorkingDir, change.path);
      return;
    case "USER":
      config.User = change.user;
      return;
    case "EXPOSE": {
      const ports = { ...(config.ExposedPorts ?? {}) };
      for (const port of change.ports) ports[port] = {};
      config.ExposedPorts = ports;
      return;
    }
    case "VOLUME": {
      const volumes = { ...(config.Volumes ?? {}) };
      for (const path of change.paths) volumes[path] = {};
      config.Volumes = volumes;
      return;
    }
    case "CMD":
    case "ENTRYPOINT": {
      const command = change.shellForm ? withShell(config, change.shell, change.command[0] ?? "") : [...change.command];
      if (change.keyword === "CMD") config.Cmd = command;
      else {
        config.Entrypoint = command;
        if (change.keepCmd !== true) config.Cmd = null;
      }
      return;
    }
    case "HEALTHCHECK": {
      const { healthcheck } = change;
      // Zero durations are "inherit the default" and the engine omits them: left out as well.
      const health: HealthConfig = { Test: [...healthcheck.test] };
      if (healthcheck.interval !== 0) health.Interval = healthcheck.interval;
      if (healthcheck.timeout !== 0) health.Timeout = healthcheck.timeout;
      if (healthcheck.startPeriod !== 0) health.StartPeriod = healthcheck.startPeriod;
      if (healthcheck.startInterval !== 0) health.StartInterval = healthcheck.startInterval;
      if (healthcheck.retries !== 0) health.Retries = healthcheck.retries;
      config.Healthcheck = health;
      return;
    }
    case "STOPSIGNAL":
      config.StopSignal = change.signal;
      return;
    case "ONBUILD":
      config.OnBuild = [...(config.OnBuild ?? []), change.trigger];
      return;
    case "SHELL":
      config.Shell = [...change.shell];
      return;
    case "MAINTAINER":
      // The image's Author, not a config field: the builder passes it to the commit.
      return;
  }
}

/** WORKDIR's path against the current one, cleaned (BuildKit: `path.Join("/", current, path)` unless absolute). */
export function resolveWorkdir(current: string | undefined, path: string): string {
  return posix.resolve("/", current || "/", path);
}

/** Applies docker instructions as a Dockerfile would, in the order ENV, LABEL, then the rest. */
export function applyInstructions(config: ContainerConfig, instructions: DockerInstructions): void {
  const before = envMap(config.Env);
  const env = new Map(before);
  for (const key of Object.keys(instructions.ENV).sort()) {
    // Like one `ENV a=.. b=..` line: every value sees the variables as they were before it.
    env.set(key, expandVariables(instructions.ENV[key] as string, before));
  }
  if (Object.keys(instructions.ENV).length > 0) {
    config.Env = [...env].map(([key, value]) => `${key}=${value}`);
  }
  const labels = { ...(config.Labels ?? {}) };
  for (const key of Object.keys(instructions.LABEL).sort()) {
    labels[key] = expandVariables(instructions.LABEL[key] as string, env);
  }
  config.Labels = labels;
  if (instructions.EXPOSE.length > 0) {
    const ports = { ...(config.ExposedPorts ?? {}) };
    for (const port of instructions.EXPOSE.flatMap((text) => parseExposedPorts(expandVariables(text, env)))) {
      ports[port] = {};
    }
    config.ExposedPorts = ports;
  }
  if (instructions.VOLUME.length > 0) {
    const volumes = { ...(config.Volumes ?? {}) };
    for (const volume of instructions.VOLUME) volumes[expandVariables(volume, env)] = {};
    config.Volumes = volumes;
  }
  if (instructions.WORKDIR !== null) {
    config.WorkingDir = resolveWorkdir(config.WorkingDir, expandVariables(instructions.WORKDIR, env));
  }
  if (instructions.USER !== null) config.User = expandVariables(instructions.USER, env);
  if (instructions.ENTRYPOINT !== null) {
    config.Entrypoint = [...instructions.ENTRYPOINT];
    // As in a Dockerfile, a new ENTRYPOINT drops the CMD inherited from the base.
    if (instructions.CMD === null) config.Cmd = null;
  }
  if (instructions.CMD !== null) config.Cmd = [...instructions.CMD];
  if (instructions.HEALTHCHECK !== null) config.Healthcheck = parseHealthcheck(instructions.HEALTHCHECK);
}

/** An image's `NAME=value` env as a map (a bare `NAME` is empty). */
export function envMap(env: readonly string[] | null | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const entry of env ?? []) {
    const equals = entry.indexOf("=");
    if (equals === -1) map.set(entry, "");
    else map.set(entry.slice(0, equals), entry.slice(equals + 1));
  }
  return map;
}

/**
 * Substitutes `$NAME`, `${NAME}`, `${NAME:-default}` and `${NAME:+alternative}` from `env`, as the
 * Dockerfile instructions ENV, LABEL, WORKDIR, USER, EXPOSE and VOLUME do; `\$` is a literal `$`.
 */
export function expandVariables(text: string, env: ReadonlyMap<string, string>): string {
  let result = "";
  let index = 0;
  while (index < text.length) {
    const char = text[index] as string;
    if (char === "\\" && text[index + 1] === "$") {
      result += "$";
      index += 2;
      continue;
    }
    if (char !== "$") {
      result += char;
      index += 1;
      continue;
    }
    if (text[index + 1] === "{") {
      const close = findClosingBrace(text, index + 2);
      if (close === -1) {
        result += text.slice(index);
        break;
      }
      const inner = text.slice(index + 2, close);
      const match = /^([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([\s\S]*))?$/.exec(inner);
      if (!match) {
        throw new UsageError(`invalid variable reference "\${${inner}}" in docker instruction value "${text}"`, {
          hint: "write ${NAME}, ${NAME:-default} or ${NAME:+alternative}, or escape the dollar as \\$",
        });
      }
      const value = env.get(match[1] as string);
      if (match[2] === "-") result += value ? value : expandVariables(match[3] ?? "", env);
      else if (match[2] === "+") result += value ? expandVariables(match[3] ?? "", env) : "";
      else result += value ?? "";
      index = close + 1;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(index + 1))?.[0];
    if (name === undefined) {
      result += "$";
      index += 1;
      continue;
    }
    result += env.get(name) ?? "";
    index += 1 + name.length;
  }
  return result;
}

function findClosingBrace(text: string, from: number): number {
  let depth = 1;
  for (let index = from; index < text.length; index += 1) {
    if (text[index] === "{") depth += 1;
    else if (text[index] === "}") {
      depth -= 1;
      if (depth === 0) return index;
    }
  }
  return -1;
}

/** `8080` → `8080/tcp`; `53/udp` stays; `8000-8002` gives three ports. */
export function parseExposedPorts(text: string): string[] {
  const match = /^(\d{1,5})(?:-(\d{1,5}))?(?:\/(tcp|udp|sctp))?$/i.exec(text.trim());
  if (!match) {
    throw new UsageError(`invalid EXPOSE value "${text}"`, {
      hint: 'write a port like "8080", "53/udp" or "8000-8010"',
    });
  }
  const first = Number(match[1]);
  const last = match[2] === undefined ? first : Number(match[2]);
  if (first < 1 || last > 65535 || last < first) throw new UsageError(`invalid EXPOSE range "${text}"`);
  const protocol = (match[3] ?? "tcp").toLowerCase();
  const ports: string[] = [];
  for (let port = first; port <= last; port += 1) ports.push(`${port}/${protocol}`);
  return ports;
}

const durationUnits: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** A Go duration (`30s`, `1m30s`, `500ms`) in nanoseconds. */
export function parseDuration(text: string): number {
  const pattern = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (const match of text.matchAll(pattern)) {
    total += Number(match[1]) * (durationUnits[match[2] as string] as number);
    consumed += match[0].length;
  }
  if (text === "" || consumed !== text.length) {
    throw new UsageError(`invalid duration "${text}" in HEALTHCHECK`, {
      hint: "write durations like 30s, 1m30s or 500ms",
    });
  }
  return Math.round(total);
}

/**
 * Parses a HEALTHCHECK as written in a Dockerfile: `NONE`, or options (`--interval`, `--timeout`,
 * `--start-period`, `--start-interval`, `--retries`) followed by `CMD` and a command in exec
 * (JSON array) or shell form.
 */
export function parseHealthcheck(text: string): HealthConfig {
  let rest = text.trim();
  if (/^NONE$/i.test(rest)) return { Test: ["NONE"] };
  const config: HealthConfig = { Test: [] };
  for (;;) {
    const option = /^--([a-z-]+)=(\S+)\s+/.exec(rest);
    if (!option) break;
    const [whole, name, value] = option as unknown as [string, string, string];
    if (name === "interval") config.Interval = parseDuration(value);
    else if (name === "timeout") config.Timeout = parseDuration(value);
    else if (name === "start-period") config.StartPeriod = parseDuration(value);
    else if (name === "start-interval") config.StartInterval = parseDuration(value);
    else if (name === "retries") {
      const retries = Number(value);
      if (!Number.isInteger(retries) || retries < 0) throw new UsageError(`invalid HEALTHCHECK --retries "${value}"`);
      config.Retries = retries;
    } else {
      throw new UsageError(`unknown HEALTHCHECK option "--${name}"`, {
        hint: "use --interval, --timeout, --start-period, --start-interval or --retries",
      });
    }
    rest = rest.slice(whole.length);
  }
  const command = /^CMD\s+([\s\S]+)$/i.exec(rest);
  if (!command) {
    throw new UsageError(`invalid HEALTHCHECK "${text}"`, {
      hint: 'write "NONE" or "[--interval=30s ...] CMD <command>"',
    });
  }
  const body = (command[1] as string).trim();
  if (body.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = null;
    }
    if (Array.isArray(parsed) && parsed.length > 0 && parsed.every((item) => typeof item === "string")) {
      config.Test = ["CMD", ...(parsed as string[])];
      return config;
    }
  }
  config.Test = ["CMD-SHELL", body];
  return config;
}
