/*
 * The shared model of werf.yaml rendering (DESIGN §13): Go `text/template` with Sprig and werf
 * functions, in core, pure. Values are Go values as templates see them; functions take and give them.
 *
 *   engine (lexer, parser, exec, Go's builtins)      template/{lexer,parse,exec,builtins}.ts
 *   Sprig and werf functions                         template/functions/*.ts
 *   werf.yaml rendering (.Files, .Env, partials)     template/render-config.ts
 */

/** A Go float64 (an untyped float constant, a parsed YAML/JSON float, a float result of Sprig math). */
export class GoFloat {
  constructor(readonly value: number) {}
}

/**
 * A Go struct or an object with methods (`.Files`, `.Commit`): fields read with `.Name`, methods
 * called with `.Name arg...`. Field and method names are Go's (capitalized).
 */
export class GoObject {
  constructor(
    readonly typeName: string,
    readonly fields: Readonly<Record<string, GoValue>>,
    readonly methods: Readonly<Record<string, GoFunction>> = {},
  ) {}
}

/**
 * A Go value as templates see it:
 * - string; boolean;
 * - number: a Go int (always an integer; untyped int constants, len, range indexes, Sprig's int results);
 * - GoFloat: a Go float64;
 * - null: nil (a missing map key gives `<no value>` when printed, as Go's map[string]interface{});
 * - GoValue[]: a slice ([]interface{});
 * - Map<string, GoValue>: a map[string]interface{} (range and printing go in sorted key order, as Go);
 * - GoObject: a struct / object with methods;
 * - GoFunction: a function value (only as an argument to `call`).
 */
export type GoValue =
  | string
  | number
  | boolean
  | null
  | GoFloat
  | GoValue[]
  | Map<string, GoValue>
  | GoObject
  | GoFunction;

/** Where something is in a template source: 1-based line and column (columns count Unicode code points). */
export interface TemplatePosition {
  /** The file the user wrote: `werf.yaml`, `.werf/templates/_helpers.tpl`. */
  file: string;
  line: number;
  column: number;
}

/** What a function gets besides its arguments. */
export interface CallContext {
  /** Where the call is. */
  position: TemplatePosition;
  /** The function's name as written (for errors). */
  name: string;
  /** Executes a named template (`include`): its output as a string. Throws TemplateError when undefined. */
  executeTemplate(name: string, data: GoValue): string;
  /** Parses and executes text as a template with the current definitions (`tpl`). */
  executeText(text: string, data: GoValue): string;
}

/**
 * A template function. It returns a value, or throws (a thrown Error becomes a TemplateError at the
 * call's position, as Go's "error calling X: ..."). Arity and argument types are the function's to
 * check, with Go's messages where they matter.
 */
export type GoFunction = (args: readonly GoValue[], context: CallContext) => GoValue;

/** Functions by name, as Go's template.FuncMap. */
export type FunctionMap = Readonly<Record<string, GoFunction>>;

/** One template source: the main file or a partial. */
export interface TemplateSource {
  /** Name used in errors and by `{{ template }}` for the file's own body (werf: the file's path). */
  file: string;
  text: string;
}

/** Output of an execution with, for each output line, where its first character came from. */
export interface RenderResult {
  text: string;
  /**
   * `origins[i]` is the template position that produced the first character of output line `i + 1`
   * (text of the template, or the action whose value started the line). A config error at a rendered
   * line is reported at the rendered line and at this position.
   */
  origins: TemplatePosition[];
}
