import type { HostCleanupResult } from "@stages/core";
import { Command, Option } from "clipanion";
import * as t from "typanion";
import { ProjectCommand, type Session } from "../base-command.js";
import { conventions } from "../option-conventions.js";
import { hostCleanupDefaults } from "./host-defaults.js";
import { summarizeHostCleanup } from "./host-summary.js";

const percent = t.cascade(t.isNumber(), [t.isInInclusiveRange(0, 100)]);

const storagePathOption = (description: string) =>
  conventions(Option.String("--docker-server-storage-path", { description }), { value: "path" });

const dryRunOption = () =>
  conventions(Option.Boolean("--dry-run", false, { description: "Report what would be removed; change nothing" }), {
    kind: "boolean",
  });

/** `stages host cleanup`: LRU removal of the project's local stages above a storage threshold (DESIGN §15). */
export class HostCleanupCommand extends ProjectCommand {
  static override paths = [["host", "cleanup"]];
  static override usage = Command.Usage({
    description: "Remove the least recently used local stages when the engine's storage is too full",
    details: `
      First removes what killed builds of the project left (their build containers, untagged commits nothing uses), as \`stages build\` does before building. Then, when the file system of the Docker Engine's data root (\`DockerRootDir\` of \`docker info\`) is used above \`--allowed-volume-usage\` percent (werf's default 70), removes this project's local stage images, least recently used first, until it is used at or below that threshold minus \`--allowed-volume-usage-margin\` (default 5), or nothing removable is left. Usage is measured again after each round of removals.

      A stage's last use is the newest of its creation, its last tagging and the last stages command that used it on this host (a journal under \`$STAGES_STATE_DIR\`, else \`$XDG_STATE_HOME/stages\`, else \`~/.local/state/stages\`). Never removed: a stage a container (in any state) uses, one a running stages command holds, one built within \`--keep-built-within\` hours (default 2, werf's \`keepImagesBuiltWithinLastNHours\`), and the stages those are built on. Removal untags \`stages-storage/<project>:<signature>\` without force; the engine frees the layers no other image uses.

      A remote engine (ssh://, tcp://) cannot be measured from here: run host cleanup on the engine's host, give \`--docker-server-storage-path\` where its data root is mounted, or pass \`--allowed-volume-usage 0\` to remove every removable stage.

      \`--dry-run\` reports what would be removed and changes nothing.
    `,
    examples: [
      ["Clean up when the storage is above 70 %", "stages host cleanup"],
      ["See what would go at 50 %", "stages host cleanup --allowed-volume-usage 50 --dry-run"],
      [
        "Remove every unprotected stage older than an hour",
        "stages host cleanup --allowed-volume-usage 0 --keep-built-within 1",
      ],
    ],
  });

  allowedVolumeUsage = conventions(
    Option.String("--allowed-volume-usage,--allowed-docker-storage-volume-usage", {
      description: `Percent of the engine's storage used above which stages are removed (default ${hostCleanupDefaults.allowedVolumeUsage}; 0: every removable stage)`,
      validator: percent,
    }),
    { value: "percent" },
  );
  margin = conventions(
    Option.String("--allowed-volume-usage-margin,--allowed-docker-storage-volume-usage-margin", {
      description: `Percentage points below the threshold to clean down to (default ${hostCleanupDefaults.margin})`,
      validator: percent,
    }),
    { value: "points" },
  );
  keepBuiltWithin = conventions(
    Option.String("--keep-built-within", {
      description: `Keep stages built within this many hours (default ${hostCleanupDefaults.keepBuiltWithinHours})`,
      validator: t.cascade(t.isNumber(), [t.isAtLeast(0)]),
    }),
    { value: "hours" },
  );
  storagePath = storagePathOption(
    "Measure this path instead of the engine's data root (where a remote engine's is mounted here)",
  );
  dryRun = dryRunOption();

  override async run(session: Session): Promise<HostCleanupResult> {
    const { runHostCleanup } = await import("../run/host.js");
    return runHostCleanup(session, this);
  }

  override summarize(result: object): string {
    return summarizeHostCleanup(result as HostCleanupResult);
  }
}

/** `stages host purge`: every local stage of the project, but those in use. */
export class HostPurgeCommand extends ProjectCommand {
  static override paths = [["host", "purge"]];
  static override usage = Command.Usage({
    description: "Remove every local stage of the project, and what killed builds left",
    details: `
      Removes every local stage image of this project (\`stages-storage/<project>:*\`) whatever the storage's usage or the stages' age, then the build leftovers of runs that died (their build containers and the untagged images they committed), then the project's \`mount: from: build_dir\` and \`RUN --mount=type=cache\` caches and this host's mirrors of its remote git mappings (the next build starts them anew). Kept, and reported with the reason: stages a container (in any state) uses, stages a running stages command holds, and the stages those are built on. Kept stages are not an error: the command exits 0 and warns; remove the containers (or wait for the commands) and run it again.

      \`--dry-run\` reports what would be removed and changes nothing.
    `,
    examples: [
      ["Purge the project's stages from this engine", "stages host purge"],
      ["See what would go", "stages host purge --dry-run"],
    ],
  });

  storagePath = storagePathOption("Measure this path instead of the engine's data root (for the report)");
  dryRun = dryRunOption();

  override async run(session: Session): Promise<HostCleanupResult> {
    const { runHostPurge } = await import("../run/host.js");
    return runHostPurge(session, this);
  }

  override summarize(result: object): string {
    return summarizeHostCleanup(result as HostCleanupResult);
  }
}
