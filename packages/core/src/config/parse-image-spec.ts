import { isMap, isScalar, type Node } from "yaml";
import { essentialStageLabels } from "../naming.js";
import { compileGoRegexp } from "./go-regexp.js";
import type { ImageSpecConfig, ImageSpecHealthcheck, ImageSpecMatcher } from "./model.js";
import { readSection, type Section, type SectionSpec, sectionValue } from "./read-section.js";
import { describeNode, isNullNode, type YamlContext } from "./yaml-context.js";
import { readBoolean, readText, readTextList, readTextMap } from "./yaml-values.js";

// werf's rawImageSpec and rawImageSpecConfig (pkg/config/raw_image_spec.go), key for key.
const imageSpecSpec: SectionSpec = {
  where: "under imageSpec",
  word: "key",
  known: ["author", "clearHistory", "config"],
};

/** The keys of an image's imageSpec.config. */
export const imageSpecConfigKeys = [
  "keepEssentialWerfLabels",
  "clearWerfLabels",
  "clearCmd",
  "clearEntrypoint",
  "clearUser",
  "clearWorkingDir",
  "removeLabels",
  "removeVolumes",
  "removeEnv",
  "volumes",
  "labels",
  "env",
  "expose",
  "user",
  "cmd",
  "entrypoint",
  "workingDir",
  "stopSignal",
  "healthcheck",
] as const;

const configSpec: SectionSpec = { where: "under imageSpec.config", word: "key", known: imageSpecConfigKeys };

const healthcheckSpec: SectionSpec = {
  where: "under imageSpec.config.healthcheck",
  word: "key",
  known: ["test", "interval", "timeout", "startPeriod", "retries"],
};

// A port, a range of ports, optionally with a protocol: 80, 8080/tcp, 53/udp, 7000-7010.
const exposePattern = /^\d{1,5}(?:-\d{1,5})?(?:\/(?:tcp|udp|sctp))?$/i;

/** An imageSpec that changes nothing. */
export function emptyImageSpec(position: ImageSpecConfig["position"]): ImageSpecConfig {
  return {
    author: null,
    clearHistory: false,
    clearWerfLabels: false,
    keepEssentialWerfLabels: false,
    clearCmd: false,
    clearEntrypoint: false,
    clearUser: false,
    clearWorkingDir: false,
    removeLabels: [],
    removeVolumes: [],
    removeEnv: [],
    volumes: [],
    labels: {},
    env: {},
    expose: [],
    user: null,
    cmd: null,
    entrypoint: null,
    workingDir: null,
    stopSignal: null,
    healthcheck: null,
    position,
  };
}

/** Reads werf v2's `imageSpec:` of an image; null when absent or empty. */
export function parseImageSpec(context: YamlContext, node: Node | null): ImageSpecConfig | null {
  if (isNullNode(node)) return null;
  const section = readSection(context, node as Node, "imageSpec", imageSpecSpec);
  if (section === null) return null;
  const spec = emptyImageSpec(context.position(node as Node));
  spec.author = readText(context, sectionValue(section, "author"), "imageSpec.author", "write author: <name>");
  spec.clearHistory = readBoolean(context, sectionValue(section, "clearHistory"), "imageSpec.clearHistory") ?? false;
  const configNode = sectionValue(section, "config");
  if (!isNullNode(configNode)) readConfig(context, configNode as Node, spec);
  return spec;
}

function readConfig(context: YamlContext, node: Node, spec: ImageSpecConfig): void {
  const config = readSection(context, node, "imageSpec.config", configSpec);
  if (config === null) return;
  const flag = (key: (typeof imageSpecConfigKeys)[number]) =>
    readBoolean(context, sectionValue(config, key), `imageSpec.config.${key}`) ?? false;
  spec.keepEssentialWerfLabels = flag("keepEssentialWerfLabels");
  spec.clearWerfLabels = flag("clearWerfLabels");
  spec.clearCmd = flag("clearCmd");
  spec.clearEntrypoint = flag("clearEntrypoint");
  spec.clearUser = flag("clearUser");
  spec.clearWorkingDir = flag("clearWorkingDir");
  spec.removeLabels = readMatchers(context, sectionValue(config, "removeLabels"), "imageSpec.config.removeLabels");
  spec.removeVolumes = readList(context, sectionValue(config, "removeVolumes"), "imageSpec.config.removeVolumes");
  spec.removeEnv = readMatchers(context, sectionValue(config, "removeEnv"), "imageSpec.config.removeEnv");
  spec.volumes = readList(context, sectionValue(config, "volumes"), "imageSpec.config.volumes");
  spec.labels = readTextMap(context, sectionValue(config, "labels"), "imageSpec.config.labels");
  spec.env = readTextMap(context, sectionValue(config, "env"), "imageSpec.config.env");
  const exposeNode = sectionValue(config, "expose");
  spec.expose = readList(context, exposeNode, "imageSpec.config.expose");
  for (const port of spec.expose) {
    if (!exposePattern.test(port)) {
      context.error(
        exposeNode as Node,
        `imageSpec.config.expose "${port}" is not a port`,
        'write a port with an optional protocol, e.g. "8080" or "53/udp"',
      );
    }
  }
  const text = (key: "user" | "workingDir" | "stopSignal", example: string) =>
    readText(context, sectionValue(config, key), `imageSpec.config.${key}`, example);
  spec.user = text("user", "write user: <user>[:<group>]");
  spec.workingDir = text("workingDir", "write workingDir: /path");
  spec.stopSignal = text("stopSignal", "write stopSignal: SIGTERM");
  // werf reads cmd and entrypoint as lists only (`[]string`): the exec form.
  spec.cmd = readCommand(context, config.get("cmd")?.value ?? null, config.has("cmd"), "imageSpec.config.cmd");
  spec.entrypoint = readCommand(
    context,
    config.get("entrypoint")?.value ?? null,
    config.has("entrypoint"),
    "imageSpec.config.entrypoint",
  );
  spec.healthcheck = readHealthcheck(context, sectionValue(config, "healthcheck"));
  warnEssentialLabels(context, config, spec);
}

/**
 * werf warns when imageSpec would remove its essential labels, which it keeps anyway, unless
 * keepEssentialWerfLabels says the user knows: the same here for stages' own.
 */
function warnEssentialLabels(context: YamlContext, config: Section, spec: ImageSpecConfig): void {
  if (spec.keepEssentialWerfLabels) return;
  const named = spec.removeLabels.filter(
    (matcher) => matcher.kind === "name" && essentialStageLabels.includes(matcher.name),
  );
  const entry = spec.clearWerfLabels
    ? config.get("clearWerfLabels")
    : named.length > 0
      ? config.get("removeLabels")
      : undefined;
  if (entry === undefined) return;
  context.warning(
    entry.keyNode,
    `the labels stages needs to find a stage stay in the image (${essentialStageLabels.join(", ")})`,
    "set keepEssentialWerfLabels: true to say so, as in werf",
  );
}

/** A list of strings; werf's `[]string` takes no lone string. */
function readList(context: YamlContext, node: Node | null, label: string): string[] {
  if (isNullNode(node)) return [];
  if (isScalar(node)) {
    context.error(
      node,
      `${label} must be a list of strings, not ${describeNode(node)}`,
      `write ${label.slice(label.lastIndexOf(".") + 1)}: [...]`,
    );
    return [];
  }
  return readTextList(context, node, label);
}

function readCommand(context: YamlContext, node: Node | null, present: boolean, label: string): string[] | null {
  if (!present || isNullNode(node)) return null;
  if (isScalar(node)) {
    context.error(
      node,
      `${label} must be a list of strings (the exec form), not ${describeNode(node)}`,
      `write ${label.slice(label.lastIndexOf(".") + 1)}: ["/bin/sh", "-c", "..."]`,
    );
    return null;
  }
  return readTextList(context, node, label);
}

/** Names, or `/regexp/` (werf: a Go regexp matching the whole name). */
export function readMatchers(context: YamlContext, node: Node | null, label: string): ImageSpecMatcher[] {
  const matchers: ImageSpecMatcher[] = [];
  for (const text of readList(context, node, label)) {
    if (text.length >= 2 && text.startsWith("/") && text.endsWith("/")) {
      const source = text.slice(1, -1);
      const compiled = compileGoRegexp(source);
      if (!compiled.ok) {
        context.error(
          node as Node,
          `${label} "${text}" is not a regular expression stages can read: ${compiled.problem}`,
          "write a name, or /regexp/ in RE2 syntax",
        );
        continue;
      }
      matchers.push({ kind: "regexp", source });
    } else {
      matchers.push({ kind: "name", name: text });
    }
  }
  return matchers;
}

function readHealthcheck(context: YamlContext, node: Node | null): ImageSpecHealthcheck | null {
  if (isNullNode(node)) return null;
  const section = readSection(context, node as Node, "imageSpec.config.healthcheck", healthcheckSpec);
  if (section === null) return null;
  const seconds = (key: "interval" | "timeout" | "startPeriod" | "retries"): number => {
    const value = sectionValue(section, key);
    if (isNullNode(value)) return 0;
    if (isScalar(value) && typeof value.value === "number" && Number.isInteger(value.value) && value.value >= 0) {
      return value.value;
    }
    context.error(
      value as Node,
      `imageSpec.config.healthcheck.${key} must be a whole number${key === "retries" ? "" : " of seconds"}, not ${describeNode(value)}`,
      `write ${key}: ${key === "retries" ? 3 : 30}`,
    );
    return 0;
  };
  const testNode = sectionValue(section, "test");
  const test = readList(context, testNode, "imageSpec.config.healthcheck.test");
  if (test.length === 0 && !isMap(node)) return null;
  if (test.length === 0) {
    context.error(
      testNode ?? (node as Node),
      "imageSpec.config.healthcheck needs a test",
      'write test: ["CMD", "curl", "-f", "http://localhost/"] (or ["CMD-SHELL", "..."], or ["NONE"])',
    );
  } else if (!["NONE", "CMD", "CMD-SHELL"].includes(test[0] as string)) {
    context.error(
      testNode as Node,
      `imageSpec.config.healthcheck.test must start with NONE, CMD or CMD-SHELL, not "${test[0]}"`,
      'write test: ["CMD", "curl", "-f", "http://localhost/"]',
    );
  }
  return {
    test,
    interval: seconds("interval"),
    timeout: seconds("timeout"),
    startPeriod: seconds("startPeriod"),
    retries: seconds("retries"),
  };
}
