import { type AdapterKind, type PluginSettingValue, settingEnvironmentName } from "@stages/core";
import type { Session } from "../base-command.js";

/** What `stages plugins` prints (--json: this document). */
export interface PluginsReport {
  plugins: { name: string; registers: Record<string, string[]> }[];
  adapters: Record<AdapterKind, readonly string[]>;
  settings: {
    name: string;
    plugin: string;
    type: string;
    description: string;
    default: PluginSettingValue | undefined;
    value: PluginSettingValue | undefined;
    variable: string;
  }[];
}

/** The plugins of the session, the adapters it uses and its plugin settings with their values. */
export function pluginsReport(session: Session): PluginsReport {
  const { plugins, context, adapters } = session.services;
  return {
    plugins: plugins.plugins.map((plugin) => ({
      name: plugin.name,
      registers: {
        localStorage: Object.keys(plugin.storages?.local ?? {}),
        remoteStorage: Object.keys(plugin.storages?.remote ?? {}),
        builder: Object.keys(plugin.builders ?? {}),
        transfer: Object.keys(plugin.transfers ?? {}),
        gitSource: Object.keys(plugin.gitSources ?? {}),
        lock: Object.keys(plugin.locks ?? {}),
        setting: Object.keys(plugin.settings ?? {}),
      },
    })),
    adapters,
    settings: [...plugins.settings].map(([name, definition]) => ({
      name,
      plugin: definition.plugin,
      type: definition.type,
      description: definition.description,
      default: definition.default,
      value: context.settings[name],
      variable: settingEnvironmentName(name),
    })),
  };
}
