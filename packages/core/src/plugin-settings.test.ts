import { describe, expect, it } from "vitest";
import type { ConfigSetting } from "./config/model.js";
import { ConfigError, UsageError } from "./errors.js";
import { createPluginRegistry, definePlugin } from "./plugin.js";
import { resolvePluginSettings, settingEnvironmentName } from "./plugin-settings.js";

const plugin = definePlugin({
  name: "typed",
  specificationVersion: "v1",
  settings: {
    "typed.name": { description: "a name", type: "string", default: "none" },
    "typed.ttl-ms": { description: "a number", type: "number" },
    "typed.on": { description: "a switch", type: "boolean", default: false },
    "typed.hosts": { description: "a list", type: "string[]", default: [] },
  },
});
const definitions = createPluginRegistry([plugin]).settings;
const at = (line: number) => ({ file: "stages.yaml", line, column: 3 });
const resolve = (sources: { flags?: string[]; env?: Record<string, string>; config?: Record<string, ConfigSetting> }) =>
  resolvePluginSettings(definitions, { flags: [], env: {}, config: {}, ...sources });

describe("plugin settings", () => {
  it("names variables STAGES_ and the name upper-cased, dots and dashes as _", () => {
    expect(settingEnvironmentName("typed.ttl-ms")).toBe("STAGES_TYPED_TTL_MS");
  });

  it("takes defaults when nothing is given (absent without one)", () => {
    expect(resolve({})).toEqual({
      "typed.name": "none",
      "typed.ttl-ms": undefined,
      "typed.on": false,
      "typed.hosts": [],
    });
  });

  it("takes flags over variables over the config, each as its declared type", () => {
    const config = {
      "typed.name": { value: "from-config", position: at(3) },
      "typed.ttl-ms": { value: 5, position: at(4) },
      "typed.hosts": { value: "one", position: at(5) },
      "typed.on": { value: true, position: at(6) },
    };
    const env = { STAGES_TYPED_NAME: "from-env", STAGES_TYPED_TTL_MS: "2000", STAGES_TYPED_HOSTS: "a, b" };
    expect(resolve({ config })).toEqual({
      "typed.name": "from-config",
      "typed.ttl-ms": 5,
      "typed.on": true,
      "typed.hosts": ["one"],
    });
    expect(resolve({ config, env })).toMatchObject({
      "typed.name": "from-env",
      "typed.ttl-ms": 2000,
      "typed.hosts": ["a", "b"],
    });
    expect(
      resolve({ config, env, flags: ["typed.name=from-flag", "typed.hosts=c", "typed.hosts=d,e", "typed.on=false"] }),
    ).toEqual({ "typed.name": "from-flag", "typed.ttl-ms": 2000, "typed.on": false, "typed.hosts": ["c", "d", "e"] });
  });

  it("refuses a flag or variable of the wrong type, naming it", () => {
    expect(() => resolve({ env: { STAGES_TYPED_TTL_MS: "soon" } })).toThrow(
      'STAGES_TYPED_TTL_MS is "soon", not a number',
    );
    expect(() => resolve({ flags: ["typed.on=maybe"] })).toThrow('--setting typed.on is "maybe", not a boolean');
    expect(() => resolve({ flags: ["typed.on=maybe"] })).toThrow(UsageError);
  });

  it("refuses a flag no plugin declares, listing those declared", () => {
    expect(() => resolve({ flags: ["typed.nmae=x"] })).toThrow(/--setting typed\.nmae: no loaded plugin declares it/);
    expect(() => resolve({ flags: ["typed.name"] })).toThrow(/is not name=value/);
  });

  it("locates every config problem: an undeclared name and a wrong type", () => {
    let error: unknown;
    try {
      resolve({
        config: {
          "typed.nmae": { value: "x", position: at(3) },
          "typed.ttl-ms": { value: "soon", position: at(4) },
        },
      });
    } catch (caught) {
      error = caught;
    }
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).problems.map((problem) => problem.formatted)).toEqual([
      'stages.yaml:3:3: no loaded plugin declares the setting "typed.nmae" (settings: typed.name, typed.ttl-ms, typed.on, typed.hosts)',
      'stages.yaml:4:3: setting "typed.ttl-ms" must be a number, not "soon" (a number)',
    ]);
  });
});
