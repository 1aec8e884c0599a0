import { type Document, isMap, isPair, isScalar, type Node, Parser } from "yaml";
import { userStageNames } from "./model.js";

/** Where Go template actions (`{{ ... }}`) appear in a config text. */
export interface TemplateUses {
  /** Offsets of template actions that make the config a template: errors. */
  errors: number[];
  /** Offsets of `{{ ... }}` inside shell commands, which stages passes to the shell as written: warnings. */
  inShellCommands: number[];
}

const templateAction = /\{\{[\s\S]*?\}\}/g;

/**
 * Finds Go template actions outside comments, at most one per line. Those inside shell commands are
 * set apart: there `{{` can be the shell's own (e.g. `docker inspect -f '{{.Id}}'`).
 */
export function findTemplates(text: string, documents: readonly Document[]): TemplateUses {
  const uses: TemplateUses = { errors: [], inShellCommands: [] };
  if (!text.includes("{{")) return uses;
  const comments = commentRanges(text);
  const commands = documents.flatMap(shellCommandRanges);
  const inside = (offset: number, ranges: readonly Range[]) =>
    ranges.some(([start, end]) => offset >= start && offset < end);
  let lastLineStart = -1;
  for (const match of text.matchAll(templateAction)) {
    const offset = match.index;
    const lineStart = text.lastIndexOf("\n", offset) + 1;
    if (lineStart === lastLineStart || inside(offset, comments)) continue;
    lastLineStart = lineStart;
    (inside(offset, commands) ? uses.inShellCommands : uses.errors).push(offset);
  }
  return uses;
}

type Range = readonly [number, number];

function commentRanges(text: string): Range[] {
  const ranges: Range[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
    } else if (typeof value === "object" && value !== null) {
      const token = value as { type?: unknown; offset?: unknown; source?: unknown };
      if (token.type === "comment" && typeof token.offset === "number" && typeof token.source === "string") {
        ranges.push([token.offset, token.offset + token.source.length]);
      }
      for (const child of Object.values(value)) visit(child);
    }
  };
  for (const token of new Parser().parse(text)) visit(token);
  return ranges;
}

function shellCommandRanges(document: Document): Range[] {
  const shell = valueOfKey(document.contents, "shell");
  if (!isMap(shell)) return [];
  return userStageNames.flatMap((stage) => {
    const range = valueOfKey(shell, stage)?.range;
    return range ? [[range[0], range[2]] as const] : [];
  });
}

function valueOfKey(node: unknown, key: string): Node | null {
  if (!isMap(node)) return null;
  const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === key);
  return (pair?.value as Node | undefined) ?? null;
}
