import { ConfigError, createPluginRegistry, definePlugin, PluginError, UsageError } from "@stages/core";
import { describe, expect, it } from "vitest";
import { builtinPlugins, chooseAdapters, defaultAdapters, refuseSharedVariables } from "./services.js";

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

describe("plugin settings and the CLI's option variables", () => {
  const withSetting = (name: string) =>
    createPluginRegistry([
      ...builtinPlugins,
      definePlugin({
        name: "stages-plugin-github",
        specificationVersion: "v1",
        settings: { [name]: { description: "A repository", type: "string" } },
      }),
    ]);
  const options = new Map([
    ["STAGES_REPO", "--repo"],
    ["STAGES_INSECURE_REGISTRY", "--insecure-registry"],
  ]);

  it("refuses a setting that reads an option's variable, naming both and how to rename it", () => {
    expect(() => refuseSharedVariables(withSetting("repo"), options)).toThrow(
      'plugin stages-plugin-github: its setting "repo" reads STAGES_REPO, which is the variable of the option --repo',
    );
    let error: unknown;
    try {
      refuseSharedVariables(withSetting("insecure.registry"), options);
    } catch (caught) {
      error = caught;
    }
    expect(PluginError.isInstance(error)).toBe(true);
    expect((error as InstanceType<typeof PluginError>).hint).toBe(
      'prefix the setting with the plugin\'s name, e.g. "github.insecure.registry"',
    );
  });

  it("takes namespaced settings and the built-in ones", () => {
    expect(() => refuseSharedVariables(withSetting("github.repo"), options)).not.toThrow();
  });
});
