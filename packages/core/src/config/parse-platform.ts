import { isSeq, type Node } from "yaml";
import type { YamlContext } from "./yaml-context.js";
import { readTextList } from "./yaml-values.js";

// os/arch[/variant], as werf and Docker write a platform.
const platformPattern = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/;

/** werf's `platform: [linux/amd64]` (a lone string is read as one, as werf's docs write it both ways). */
export function parsePlatforms(context: YamlContext, node: Node | null, label: string): string[] {
  const platforms = readTextList(context, node, label);
  const items = isSeq(node) ? node.items.map((item) => context.resolve(item as Node | null) ?? node) : [node];
  platforms.forEach((platform, index) => {
    if (!platformPattern.test(platform)) {
      context.error(
        (items[index] ?? node) as Node,
        `${label} "${platform}" is not an os/architecture pair`,
        "write it like linux/amd64 or linux/arm64/v8",
      );
    }
  });
  return platforms.filter((platform) => platformPattern.test(platform));
}
