import { describe, expect, it } from "vitest";
import { PluginError } from "./errors.js";
import { createPluginRegistry, definePlugin } from "./plugin.js";

describe("plugins", () => {
  it("registers contributions of every plugin the same way", () => {
    const one = definePlugin({
      name: "one",
      specificationVersion: "v1",
      storages: { remote: { a: () => ({}) as never } },
      commands: ["x"],
    });
    const two = definePlugin({ name: "two", specificationVersion: "v1", builders: { b: () => ({}) as never } });
    const registry = createPluginRegistry([one, two]);
    expect([...registry.remoteStorages.keys()]).toEqual(["a"]);
    expect([...registry.builders.keys()]).toEqual(["b"]);
    expect(registry.commands).toEqual(["x"]);
  });

  it("refuses another specification version, a missing name and a duplicate registration", () => {
    expect(() => definePlugin({ name: "old", specificationVersion: "v0" as "v1" })).toThrow(/targets specification v0/);
    expect(() => definePlugin({ name: "", specificationVersion: "v1" })).toThrow(PluginError);
    const one = definePlugin({ name: "one", specificationVersion: "v1", builders: { docker: () => ({}) as never } });
    const two = definePlugin({ name: "two", specificationVersion: "v1", builders: { docker: () => ({}) as never } });
    expect(() => createPluginRegistry([one, two])).toThrow(/already registered/);
  });
});
