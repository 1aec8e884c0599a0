import { ConfigError, createPluginRegistry, definePlugin, UsageError } from "@stages/core";
import { describe, expect, it } from "vitest";
import { builtinPlugins, chooseAdapters, defaultAdapters } from "./services.js";

const extra = definePlugin({
  name: "extra",
  specificationVersion: "v1",
  storages: { remote: { directory: () => ({}) as never } },
  transfers: { mirror: () => ({}) as never },
});
const plugins = createPluginRegistry([...builtinPlugins, extra]);
const at = { file: "stages.yaml", line: 6, column: 18 };

describe("the adapters a run uses", () => {
  it("defaults to docker, docker, registry, docker then registry's copy, and redis", () => {
    expect(chooseAdapters(plugins, undefined, [])).toEqual(defaultAdapters);
    expect(defaultAdapters.transfer).toEqual(["docker", "registry"]);
  });

  it("takes stages.yaml's choice, and a flag over it; transfer flags compose in order", () => {
    const configured = {
      remoteStorage: { names: ["directory"], position: at },
      transfer: { names: ["docker", "mirror"], position: at },
    };
    expect(chooseAdapters(plugins, configured, [])).toMatchObject({
      remoteStorage: ["directory"],
      transfer: ["docker", "mirror"],
      builder: ["docker"],
    });
    expect(
      chooseAdapters(plugins, configured, ["remoteStorage=registry", "transfer=mirror", "transfer=docker"]),
    ).toMatchObject({ remoteStorage: ["registry"], transfer: ["mirror", "docker"] });
  });

  it("refuses names nobody registered: located in stages.yaml, by flag otherwise", () => {
    let error: unknown;
    try {
      chooseAdapters(plugins, { builder: { names: ["kaniko"], position: at } }, []);
    } catch (caught) {
      error = caught;
    }
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).problems[0]?.formatted).toBe(
      'stages.yaml:6:18: no builder "kaniko" is registered (registered: docker) (add the plugin that provides it under plugins:, or fix the name)',
    );
    expect(() => chooseAdapters(plugins, undefined, ["lock=etcd"])).toThrow(
      '--adapter lock=etcd: no lock "etcd" is registered (registered: redis)',
    );
    expect(() => chooseAdapters(plugins, undefined, ["storage=x"])).toThrow(UsageError);
    expect(() => chooseAdapters(plugins, undefined, ["builder"])).toThrow(/is not kind=name/);
  });
});
