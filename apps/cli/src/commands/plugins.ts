import { Command } from "clipanion";
import { ProjectCommand, type Session } from "../base-command.js";
import type { PluginsReport } from "../run/plugins.js";

/** `stages plugins`: the loaded plugins, the adapters in use and every plugin setting. */
export class PluginsCommand extends ProjectCommand {
  static override paths = [["plugins"]];
  static override usage = Command.Usage({
    description: "List the loaded plugins, the adapters in use and the plugin settings with their values",
    details: `
      The built-in plugins (git, docker, registry, Redis lock) and those under \`plugins:\` of stages.yaml, what each registers, which adapter of each kind this project uses (\`adapters:\` of stages.yaml, \`--adapter kind=name\`, else the defaults), and every setting a plugin declares: its type, description, default and the value this run would use. A setting's value comes from, first found: \`--setting name=value\`, the variable \`STAGES_<NAME>\` (name upper-cased, \`.\` and \`-\` as \`_\`), \`settings:\` in the meta of stages.yaml, its default.
    `,
    examples: [
      ["List plugins and settings", "stages plugins"],
      ["See a setting's value", "stages plugins --setting registry.insecure=my-registry:5000 --json"],
    ],
  });

  override async run(session: Session): Promise<PluginsReport> {
    const { pluginsReport } = await import("../run/plugins.js");
    return pluginsReport(session);
  }

  override summarize(result: object): string {
    const report = result as PluginsReport;
    const lines = ["plugins:"];
    for (const plugin of report.plugins) {
      const registers = Object.entries(plugin.registers)
        .filter(([, names]) => names.length > 0)
        .map(([kind, names]) => `${kind} ${names.join(", ")}`);
      lines.push(`  ${plugin.name}${registers.length > 0 ? `: ${registers.join("; ")}` : ""}`);
    }
    lines.push("adapters in use:");
    for (const [kind, names] of Object.entries(report.adapters)) lines.push(`  ${kind}: ${names.join(", ")}`);
    lines.push("settings:");
    for (const setting of report.settings) {
      const value = setting.value === undefined ? "(unset)" : JSON.stringify(setting.value);
      lines.push(`  ${setting.name} (${setting.type}, ${setting.plugin}) = ${value}`);
      lines.push(`      ${setting.description}`);
      lines.push(`      --setting ${setting.name}=<${setting.type}>, ${setting.variable}, settings: in stages.yaml`);
    }
    return lines.join("\n");
  }
}
