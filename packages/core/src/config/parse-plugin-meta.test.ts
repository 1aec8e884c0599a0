import { describe, expect, it } from "vitest";
import { parseConfig } from "./parse-config.js";
import { errorsOf } from "./test-support.js";

const image = "---\nimage: app\nfrom: alpine:3.20\n";
const meta = "project: taxi\nconfigVersion: 1\n";

describe("adapters: and settings: of the meta", () => {
  it("reads the adapter of each kind by name, transfer as a list, with positions", () => {
    const result = parseConfig(
      `${meta}adapters:\n  builder: docker\n  remoteStorage: directory\n  transfer: [docker, registry]\n${image}`,
    );
    expect(errorsOf(result)).toEqual([]);
    expect(result.config?.meta.adapters).toEqual({
      builder: { names: ["docker"], position: { file: "stages.yaml", line: 4, column: 12 } },
      remoteStorage: { names: ["directory"], position: { file: "stages.yaml", line: 5, column: 18 } },
      transfer: { names: ["docker", "registry"], position: { file: "stages.yaml", line: 6, column: 13 } },
    });
  });

  it("refuses an unknown kind, a list for one adapter and an empty name, located", () => {
    const result = parseConfig(`${meta}adapters:\n  bilder: docker\n  lock: [a, b]\n  builder: ""\n${image}`);
    expect(result.config).toBeNull();
    expect(errorsOf(result)).toEqual([
      'stages.yaml:4:3: unknown key "bilder" under adapters (did you mean "builder"?)',
      "stages.yaml:5:9: adapters.lock names one adapter, not a list (write lock: <name>)",
      "stages.yaml:6:12: adapters.builder has an empty name (name an adapter a plugin registers)",
    ]);
  });

  it("reads settings as written (scalars and lists), leaving types to the plugins", () => {
    const result = parseConfig(
      `${meta}settings:\n  registry.insecure: [a:5000, b]\n  lock.ttl-ms: 2000\n  x.on: true\n  empty:\n${image}`,
    );
    expect(errorsOf(result)).toEqual([]);
    expect(result.config?.meta.settings).toEqual({
      "registry.insecure": { value: ["a:5000", "b"], position: { file: "stages.yaml", line: 4, column: 22 } },
      "lock.ttl-ms": { value: 2000, position: { file: "stages.yaml", line: 5, column: 16 } },
      "x.on": { value: true, position: { file: "stages.yaml", line: 6, column: 9 } },
    });
  });

  it("refuses settings that are not a mapping or a value that is a mapping", () => {
    expect(errorsOf(parseConfig(`${meta}settings: [a]\n${image}`))).toEqual([
      "stages.yaml:3:11: settings must be a mapping, not a list (write settings: {name: value})",
    ]);
    expect(errorsOf(parseConfig(`${meta}settings:\n  a: {b: c}\n${image}`))).toEqual([
      'stages.yaml:4:6: setting "a" must be a string, number, boolean or list of strings, not a mapping',
    ]);
  });
});
