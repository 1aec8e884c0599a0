import { describe, expect, it } from "vitest";
import { gitSourceSpecificationVersion } from "./adapters/git-source.js";
import { imageTransferSpecificationVersion } from "./adapters/image-transfer.js";
import { lockSpecificationVersion } from "./adapters/lock.js";
import { stageBuilderSpecificationVersion } from "./adapters/stage-builder.js";
import { stagesStorageSpecificationVersion } from "./adapters/stages-storage.js";
import { PluginError } from "./errors.js";
import {
  composeImageTransfer,
  createPluginRegistry,
  definePlugin,
  pluginCommandsOf,
  pluginSpecificationVersion,
} from "./plugin.js";

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
    expect(pluginCommandsOf(one, { Command: null, Option: null })).toEqual(["x"]);
  });

  it("calls a commands function with the host's Command and Option", () => {
    const api = { Command: class Base {}, Option: { String: () => "option" } };
    const plugin = definePlugin({
      name: "commands",
      specificationVersion: "v1",
      commands: ({ Command, Option }) => [class extends Command {}, Option.String()],
    });
    const [command, option] = pluginCommandsOf(plugin, api);
    expect(Object.getPrototypeOf(command)).toBe(api.Command);
    expect(option).toBe("option");
    const broken = definePlugin({ name: "broken", specificationVersion: "v1", commands: () => ({}) as never });
    expect(() => pluginCommandsOf(broken, api)).toThrow(/returned object, not a list of command classes/);
  });

  it("registers settings, refusing a second declaration, an unknown type and a default of another type", () => {
    const one = definePlugin({
      name: "one",
      specificationVersion: "v1",
      settings: { "one.root": { description: "where", type: "string", default: "/x" } },
    });
    expect(createPluginRegistry([one]).settings.get("one.root")).toEqual({
      description: "where",
      type: "string",
      default: "/x",
      plugin: "one",
    });
    const again = definePlugin({ ...one, name: "again" });
    expect(() => createPluginRegistry([one, again])).toThrow(
      'plugin again declares the setting "one.root", which plugin one already declared',
    );
    const badType = definePlugin({
      name: "bad",
      specificationVersion: "v1",
      settings: { "bad.x": { description: "x", type: "object" as "string" } },
    });
    expect(() => createPluginRegistry([badType])).toThrow(/of type object, not one of string, number/);
    const badDefault = definePlugin({
      name: "bad",
      specificationVersion: "v1",
      settings: { "bad.x": { description: "x", type: "number", default: "5" as unknown as number } },
    });
    expect(() => createPluginRegistry([badDefault])).toThrow(/with a default that is not a number/);
  });

  it("composes transfers by capability: push and pull from the first that has them, copy likewise", async () => {
    const calls: string[] = [];
    const engine = {
      specificationVersion: imageTransferSpecificationVersion,
      async push() {
        calls.push("engine push");
        return { digest: "d1" };
      },
      async pull() {
        calls.push("engine pull");
        return {} as never;
      },
    };
    const copier = {
      specificationVersion: imageTransferSpecificationVersion,
      prefix: "registry",
      async copy(this: { prefix: string }) {
        calls.push(`${this.prefix} copy`);
        return { digest: "d2" };
      },
    };
    const transfer = composeImageTransfer([
      { name: "docker", transfer: engine },
      { name: "registry", transfer: copier },
    ]);
    await transfer.push({} as never);
    await transfer.pull({} as never);
    await transfer.copy?.({ from: "a", to: "b" });
    expect(calls).toEqual(["engine push", "engine pull", "registry copy"]);
    expect(composeImageTransfer([{ name: "docker", transfer: engine }]).copy).toBeUndefined();
    expect(() => composeImageTransfer([{ name: "registry", transfer: copier }])).toThrow(
      "no transfer among those in use (registry) can push stages",
    );
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
