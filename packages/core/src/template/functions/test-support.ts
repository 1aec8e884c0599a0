/* A minimal call context for calling template functions directly in tests (no engine needed). */
import type { CallContext, FunctionMap, GoValue } from "../model.js";
import { renderWerfConfig } from "../render-config.js";
import { sprigFunctions } from "./sprig.js";

/** A call context at werf.yaml:1:1; `templates` answer `include` by name, `executeText` echoes its text. */
export function testContext(
  name: string,
  templates: Readonly<Record<string, (data: GoValue) => string>> = {},
): CallContext {
  return {
    position: { file: "werf.yaml", line: 1, column: 1 },
    name,
    executeTemplate(template, data) {
      const body = templates[template];
      if (body === undefined) throw new Error(`no such template "${template}"`);
      return body(data);
    },
    executeText(text) {
      return text;
    },
  };
}

/** Calls `name` from `functions` (Sprig's by default) with `args`. */
export function callFunction(
  name: string,
  args: readonly GoValue[],
  functions: FunctionMap = sprigFunctions(),
): GoValue {
  const fn = functions[name];
  if (fn === undefined) throw new Error(`no function ${name}`);
  return fn(args, testContext(name));
}

/** Renders `text` as a werf.yaml with no partials, files or environment; returns the rendered text. */
export function renderText(text: string): string {
  return renderWerfConfig({
    file: "werf.yaml",
    text,
    partials: [],
    files: { read: () => null, exists: () => false, isDir: () => false, listFiles: () => [] },
    environment: {},
    env: "",
    commit: null,
  }).text;
}
