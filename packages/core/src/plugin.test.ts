import { describe, expect, it } from "vitest";
import { gitSourceSpecificationVersion } from "./adapters/git-source.js";
import { imageTransferSpecificationVersion } from "./adapters/image-transfer.js";
import { lockSpecificationVersion } from "./adapters/lock.js";
import { stageBuilderSpecificationVersion } from "./adapters/stage-builder.js";
import { stagesStorageSpecificationVersion } from "./adapters/stages-storage.js";
import { PluginError } from "./errors.js";
import { createPluginRegistry, definePlugin, pluginSpecificationVersion } from "./plugin.js";

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

  it("keeps one specification version per contract (Lock v2 since abandonWhen)", () => {
    expect([
      pluginSpecificationVersion,
      stagesStorageSpecificationVersion,
      stageBuilderSpecificationVersion,
      imageTransferSpecificationVersion,
      gitSourceSpecificationVersion,
      lockSpecificationVersion,
    ]).toEqual(["v1", "v1", "v1", "v1", "v1", "v2"]);
  });

  it("checks every adapter a factory makes against its own contract's version", async () => {
    const plugin = definePlugin({
      name: "mixed",
      specificationVersion: "v1",
      storages: {
        local: { fine: () => ({ specificationVersion: "v1" }) as never },
        remote: { future: async (_context, location) => ({ specificationVersion: "v2", location }) as never },
      },
      builders: { old: () => ({ specificationVersion: "v0" }) as never },
      transfers: { none: () => ({}) as never },
      gitSources: { fine: () => ({ specificationVersion: "v1" }) as never },
      locks: { future: () => ({ specificationVersion: "v3" }) as never },
    });
    const registry = createPluginRegistry([plugin]);
    const context = { project: "p", directory: "/", settings: {}, log: () => {} };
    await expect(registry.localStorages.get("fine")?.(context)).resolves.toEqual({ specificationVersion: "v1" });
    await expect(registry.gitSources.get("fine")?.(context)).resolves.toEqual({ specificationVersion: "v1" });
    await expect(registry.remoteStorages.get("future")?.(context, "repo")).rejects.toThrow(
      'remote storage "future" of plugin mixed implements StagesStorage specification v2, this stages speaks v1',
    );
    await expect(registry.builders.get("old")?.(context)).rejects.toThrow(/StageBuilder specification v0/);
    await expect(registry.transfers.get("none")?.(context)).rejects.toThrow(/ImageTransfer specification undefined/);
    await expect(registry.locks.get("future")?.(context, "x")).rejects.toSatisfy(
      (error) => PluginError.isInstance(error) && /Lock specification v3/.test(String(error)),
    );
  });
});
