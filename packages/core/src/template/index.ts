/*
 * Go's text/template in core: a set of templates sharing definitions and functions, as Go's
 * *template.Template with its associated templates. Sprig and werf functions come in as a FunctionMap.
 */
import { builtinArity } from "./builtins.js";
import { TemplateError } from "./errors.js";
import { executeTree } from "./exec.js";
import type { FunctionMap, GoValue, RenderResult, TemplatePosition, TemplateSource } from "./model.js";
import { isEmptyTree, parseTemplate, type Tree } from "./parse.js";

export { formatTemplatePosition, TemplateError } from "./errors.js";
export { maxExecDepth } from "./exec.js";
export { formatGoValue, goTypeName, sprintf } from "./format.js";
export * from "./model.js";

/** Templates parsed from one or more sources, executed by name. */
export interface TemplateSet {
  /** Parses a source: its {{define}}s and {{block}}s join the set, its body is the template `source.file`. Throws TemplateError. */
  add(source: TemplateSource): void;
  /** Executes the template `name` with `data` as dot. Throws TemplateError. */
  execute(name: string, data: GoValue): RenderResult;
  /** Whether a template of this name is defined. */
  has(name: string): boolean;
}

/** Creates an empty template set whose templates may call `functions` (besides Go's builtins). */
export function createTemplateSet(functions: FunctionMap): TemplateSet {
  const trees = new Map<string, Tree>();
  const hasFunction = (name: string): boolean => Object.hasOwn(functions, name) || Object.hasOwn(builtinArity, name);
  const associate = (parsed: Map<string, Tree>, into: Map<string, Tree>): void => {
    for (const [name, tree] of parsed) {
      const existing = into.get(name);
      // As Go: an empty body does not replace a template already defined under that name.
      if (existing !== undefined && isEmptyTree(tree.root)) continue;
      into.set(name, tree);
    }
  };
  const environment = (scope: Map<string, Tree>) => ({
    lookup: (name: string) => scope.get(name),
    functions,
    parseText: (text: string, position: TemplatePosition): Tree => {
      const file = `${position.file}:${position.line}:${position.column}`;
      const parsed = parseTemplate(file, text, { hasFunction });
      associate(parsed, scope);
      return parsed.get(file) as Tree;
    },
  });
  return {
    add(source) {
      associate(parseTemplate(source.file, source.text, { hasFunction }), trees);
    },
    execute(name, data) {
      const tree = trees.get(name);
      if (tree === undefined) {
        throw new TemplateError({ file: name, line: 1, column: 1 }, `no template ${JSON.stringify(name)} is defined`);
      }
      return executeTree(environment(trees), tree, data);
    },
    has(name) {
      return trees.has(name);
    },
  };
}
