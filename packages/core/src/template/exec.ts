/*
 * Execution of parsed templates as Go's text/template does it (exec.go, Go 1.22 semantics):
 * truth, printing, fields of maps and objects, method calls, variables and their scopes,
 * short-circuit and/or, range over slices, maps (sorted keys) and ints, break/continue.
 * Inside exec a missing value (Go's invalid reflect.Value) is `undefined`; functions get `null`.
 */
import { builtinArity, builtinFunctions, isTrue } from "./builtins.js";
import { GoArgumentError, TemplateError } from "./errors.js";
import { formatGoValue, goTypeName } from "./format.js";
import { type CallContext, type FunctionMap, GoFloat, GoObject, type GoValue, type TemplatePosition } from "./model.js";
import type { BranchNode, CommandNode, FieldNode, Node, NumberNode, PipeNode, Tree, VariableNode } from "./parse.js";
import { nodeString } from "./parse.js";

/**
 * How deep {{template}} and include/tpl calls may nest. Go allows 100000 (maxExecDepth in exec.go);
 * a JavaScript stack holds far fewer frames (an include chain overflows Node's default stack near
 * 550 levels in a worker), so the limit is 300, with Go's message. No real config nests that deep.
 */
export const maxExecDepth = 300;

type Value = GoValue | undefined;

const missing = Symbol("missing");
type Final = Value | typeof missing;

class BreakSignal {}
class ContinueSignal {}
const breakSignal = new BreakSignal();
const continueSignal = new ContinueSignal();

/** What exec needs from the set of templates. */
export interface ExecEnvironment {
  lookup(name: string): Tree | undefined;
  functions: FunctionMap;
  /** Parses text with the current definitions (for `tpl`) and gives its tree. */
  parseText(text: string, position: TemplatePosition): Tree;
}

/** Output with the position of the first character of each line. */
class Output {
  text = "";
  origins: TemplatePosition[] = [];
  private atLineStart = true;
  write(text: string, origin: (index: number) => TemplatePosition): void {
    for (let start = 0; start < text.length; ) {
      if (this.atLineStart) {
        this.origins.push(origin(start));
        this.atLineStart = false;
      }
      const newline = text.indexOf("\n", start);
      if (newline < 0) break;
      this.atLineStart = true;
      start = newline + 1;
    }
    this.text += text;
  }
}

function toArgument(value: Value): GoValue {
  return value === undefined ? null : value;
}

/**
 * The node Go's exec visited last in a pipeline (its state.at), where Go reports what went wrong
 * with the pipeline's value: the last command's first word, or the last argument of a call.
 */
function lastVisited(pipe: PipeNode): Node {
  const command = pipe.commands[pipe.commands.length - 1];
  const first = command?.args[0];
  if (command === undefined || first === undefined) return pipe;
  if (first.type === "identifier") return command.args[command.args.length - 1] as Node;
  if (first.type === "pipe") return lastVisited(first);
  return first;
}

function positionOf(node: Node): TemplatePosition {
  return node.source.position(node.offset);
}

/** Executes a tree with `data` as dot and `$`. */
export function executeTree(environment: ExecEnvironment, tree: Tree, data: GoValue, depth = 0) {
  const state = new State(environment, tree.name, depth);
  // Nil data is Go's invalid value: fields of it are missing, not errors.
  const dot = data === null ? undefined : data;
  state.vars.push({ name: "$", value: dot });
  try {
    state.walk(dot, tree.root);
  } catch (error) {
    if (error instanceof RangeError && error.message.includes("call stack")) {
      // A smaller stack than Node's default (an embedder's worker) ran out before maxExecDepth.
      throw new TemplateError(
        positionOf(tree.root),
        `template calls nest too deep for the JavaScript stack (depth ${depth})`,
      );
    }
    throw error;
  }
  return { text: state.output.text, origins: state.output.origins };
}

class State {
  vars: { name: string; value: Value }[] = [];
  constructor(
    private readonly environment: ExecEnvironment,
    private readonly templateName: string,
    private readonly depth: number,
    /** A {{template}} call writes into its caller's output. */
    readonly output = new Output(),
  ) {}

  fail(node: Node, message: string, cause?: unknown): never {
    // The whole node, as Go since 1.x stopped cutting it at 20 characters.
    const context = nodeString(node);
    throw new TemplateError(
      positionOf(node),
      `executing ${JSON.stringify(this.templateName)} at <${context}>: ${message}`,
      cause === undefined ? undefined : { cause },
    );
  }

  walk(dot: Value, node: Node): void {
    switch (node.type) {
      case "action": {
        const value = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, value);
        return;
      }
      case "break":
        throw breakSignal;
      case "continue":
        throw continueSignal;
      case "comment":
        return;
      case "if":
      case "with":
        this.walkIfOrWith(dot, node);
        return;
      case "list":
        for (const child of node.nodes) this.walk(dot, child);
        return;
      case "range":
        this.walkRange(dot, node);
        return;
      case "template":
        this.walkTemplate(dot, node);
        return;
      case "text":
        this.output.write(node.text, (index) => node.source.position(node.offset + index));
        return;
      default:
        this.fail(node, `unknown node: ${nodeString(node)}`);
    }
  }

  private mark(): number {
    return this.vars.length;
  }
  private pop(mark: number): void {
    this.vars.length = mark;
  }

  private walkIfOrWith(dot: Value, node: BranchNode): void {
    const mark = this.mark();
    try {
      const value = this.evalPipeline(dot, node.pipe);
      if (isTrue(toArgument(value))) this.walk(node.type === "with" ? value : dot, node.list);
      else if (node.elseList) this.walk(dot, node.elseList);
    } finally {
      this.pop(mark);
    }
  }

  private walkRange(dot: Value, node: BranchNode): void {
    const outer = this.mark();
    try {
      const value = this.evalPipeline(dot, node.pipe);
      const mark = this.mark();
      const decl = node.pipe.decl;
      const oneIteration = (key: Value, element: Value): boolean => {
        if (decl.length > 0) {
          if (node.pipe.isAssign)
            this.setVar(node, (decl[0] as VariableNode).ident[0] as string, decl.length > 1 ? key : element);
          else this.setTopVar(1, element);
        }
        if (decl.length > 1) {
          if (node.pipe.isAssign) this.setVar(node, (decl[1] as VariableNode).ident[0] as string, element);
          else this.setTopVar(2, key);
        }
        try {
          this.walk(element, node.list);
        } catch (error) {
          if (error === breakSignal) return false;
          if (error !== continueSignal) throw error;
        } finally {
          this.pop(mark);
        }
        return true;
      };
      if (Array.isArray(value) && value.length > 0) {
        for (let i = 0; i < value.length; i++) if (!oneIteration(i, value[i])) break;
        return;
      }
      if (value instanceof Map && value.size > 0) {
        for (const key of [...value.keys()].sort()) if (!oneIteration(key, value.get(key))) break;
        return;
      }
      if (typeof value === "number") {
        if (decl.length > 1)
          this.fail(lastVisited(node.pipe), `can't use ${value} to iterate over more than one variable`);
        if (value > 0) {
          for (let i = 0; i < value; i++) if (!oneIteration(i, i)) break;
          return;
        }
      } else if (value !== undefined && value !== null && !(Array.isArray(value) || value instanceof Map)) {
        this.fail(lastVisited(node.pipe), `range can't iterate over ${formatGoValue(value)}`);
      }
      if (node.elseList) this.walk(dot, node.elseList);
    } finally {
      this.pop(outer);
    }
  }

  private walkTemplate(dot: Value, node: Node & { type: "template" }): void {
    const tree = this.environment.lookup(node.name);
    if (tree === undefined) this.fail(node, `template ${JSON.stringify(node.name)} not defined`);
    if (this.depth >= maxExecDepth) this.fail(node, `exceeded maximum template depth (${maxExecDepth})`);
    // Without a pipeline the template gets nil, not the caller's dot (Go evaluates the absent pipeline to nothing).
    const value = node.pipe ? this.evalPipeline(dot, node.pipe) : undefined;
    // No dynamic scoping: the template sees only `$`, its own dot.
    const inner = new State(this.environment, node.name, this.depth + 1, this.output);
    inner.vars.push({ name: "$", value });
    inner.walk(value, tree.root);
  }

  private setVar(node: Node, name: string, value: Value): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const variable = this.vars[i] as { name: string; value: Value };
      if (variable.name === name) {
        variable.value = value;
        return;
      }
    }
    this.fail(node, `undefined variable: ${name}`);
  }
  private setTopVar(n: number, value: Value): void {
    (this.vars[this.vars.length - n] as { value: Value }).value = value;
  }
  private varValue(node: Node, name: string): Value {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const variable = this.vars[i] as { name: string; value: Value };
      if (variable.name === name) return variable.value;
    }
    return this.fail(node, `undefined variable: ${name}`);
  }

  evalPipeline(dot: Value, pipe: PipeNode): Value {
    let value: Final = missing;
    for (const command of pipe.commands) {
      value = this.evalCommand(dot, command, value, pipe);
      // An interface holding nil is forgotten, as Go's reflect.ValueOf(value.Interface()).
      if (value === null) value = undefined;
    }
    const result = value === missing ? undefined : value;
    for (const variable of pipe.decl) {
      // Go reports an undeclared variable at the node it visited last.
      if (pipe.isAssign) this.setVar(lastVisited(pipe), variable.ident[0] as string, result);
      else this.vars.push({ name: variable.ident[0] as string, value: result });
    }
    return result;
  }

  private notAFunction(args: readonly Node[], final: Final, at: Node = args[0] as Node): void {
    if (args.length > 1 || final !== missing)
      this.fail(at, `can't give argument to non-function ${nodeString(args[0] as Node)}`);
  }

  private evalCommand(dot: Value, command: CommandNode, final: Final, pipe: PipeNode): Value {
    const first = command.args[0] as Node;
    switch (first.type) {
      case "field":
        return this.evalFieldChain(dot, dot, first, first.ident, command.args, final);
      case "chain": {
        if (first.node.type === "nil") this.fail(first, `indirection through explicit nil in ${nodeString(first)}`);
        const receiver = this.evalArg(dot, first.node);
        return this.evalFieldChain(dot, receiver, first, first.fields, command.args, final);
      }
      case "identifier":
        return this.evalFunction(dot, first, command.args, final, command);
      case "pipe":
        // Go reports this at the enclosing pipeline, the last node it visited.
        this.notAFunction(command.args, final, pipe);
        return this.evalPipeline(dot, first);
      case "variable":
        return this.evalVariable(dot, first, command.args, final);
    }
    this.notAFunction(command.args, final);
    switch (first.type) {
      case "bool":
        return first.value;
      case "dot":
        return dot;
      case "nil":
        return this.fail(first, "nil is not a command");
      case "number":
        return this.idealConstant(first);
      case "string":
        return first.text;
    }
    return this.fail(first, `can't evaluate command ${JSON.stringify(nodeString(first))}`);
  }

  private idealConstant(node: NumberNode): Value {
    const isHexInt = /^[+-]?0[xX]/.test(node.text) && !/[pP]/.test(node.text);
    if (node.isFloat && !isHexInt && !node.text.startsWith("'") && /[.eEpP]/.test(node.text))
      return new GoFloat(node.float);
    if (node.isInt) return node.int;
    return this.fail(node, `${node.text} overflows int`);
  }

  private evalVariable(dot: Value, node: VariableNode, args: readonly Node[], final: Final): Value {
    const value = this.varValue(node, node.ident[0] as string);
    if (node.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, node, node.ident.slice(1), args, final);
  }

  private evalFieldChain(
    dot: Value,
    receiver: Value,
    node: Node,
    ident: readonly string[],
    args: readonly Node[],
    final: Final,
  ): Value {
    let current = receiver;
    // A value read from a map has Go's static type interface {}, which Go's errors name.
    let fromMap = false;
    for (let i = 0; i < ident.length - 1; i++) {
      const next = this.evalField(dot, ident[i] as string, node, [], missing, current, fromMap);
      fromMap = current instanceof Map;
      current = next;
    }
    return this.evalField(dot, ident[ident.length - 1] as string, node, args, final, current, fromMap);
  }

  private evalField(
    dot: Value,
    name: string,
    node: Node,
    args: readonly Node[],
    final: Final,
    receiver: Value,
    fromMap = false,
  ): Value {
    if (receiver === undefined) return undefined;
    if (receiver === null) return this.fail(node, `nil pointer evaluating interface {}.${name}`);
    const hasArgs = args.length > 1 || final !== missing;
    if (receiver instanceof GoObject) {
      const method = receiver.methods[name];
      if (method !== undefined) return this.evalCall(dot, method, node, name, args, final);
      if (Object.hasOwn(receiver.fields, name)) {
        if (hasArgs) this.fail(node, `${name} has arguments but cannot be invoked as function`);
        return receiver.fields[name];
      }
    } else if (receiver instanceof Map) {
      if (hasArgs) this.fail(node, `${name} is not a method but has arguments`);
      return receiver.has(name) ? receiver.get(name) : undefined;
    }
    return this.fail(node, `can't evaluate field ${name} in type ${fromMap ? "interface {}" : goTypeName(receiver)}`);
  }

  private evalFunction(
    dot: Value,
    node: Node & { type: "identifier" },
    args: readonly Node[],
    final: Final,
    command: Node = node,
  ): Value {
    const name = node.name;
    if (name === "and" || name === "or") {
      if (!Object.hasOwn(this.environment.functions, name)) return this.evalAndOr(dot, node, name, args, final);
    }
    const userFunction = this.environment.functions[name];
    const builtin = builtinFunctions[name];
    const target = userFunction ?? builtin;
    if (target === undefined) return this.fail(node, `${JSON.stringify(name)} is not a defined function`);
    const arity = userFunction === undefined ? builtinArity[name] : undefined;
    if (arity !== undefined) {
      const count = args.length - 1 + (final === missing ? 0 : 1);
      const [minimum, maximum] = arity;
      if (maximum === null && count < minimum)
        this.fail(
          node,
          `wrong number of args for ${name}: want at least ${minimum} got ${args.length > 0 ? args.length - 1 : 0}`,
        );
      if (maximum !== null && count !== minimum)
        this.fail(node, `wrong number of args for ${name}: want ${minimum} got ${count}`);
    }
    return this.evalCall(dot, target, command, name, args, final, node);
  }

  private evalAndOr(dot: Value, node: Node, name: "and" | "or", args: readonly Node[], final: Final): Value {
    const operands = args.slice(1);
    const count = operands.length + (final === missing ? 0 : 1);
    if (count < 1) this.fail(node, `wrong number of args for ${name}: want at least 1 got 0`);
    let value: Value;
    for (const operand of operands) {
      value = this.evalArg(dot, operand);
      if (isTrue(toArgument(value)) === (name === "or")) return value;
    }
    if (final !== missing) value = final;
    return value;
  }

  private evalCall(
    dot: Value,
    target: (typeof builtinFunctions)[string],
    node: Node,
    name: string,
    args: readonly Node[],
    final: Final,
    /** The function's name or the field, where Go reports argument errors. */
    at: Node = node,
  ): Value {
    const values: GoValue[] = args.slice(1).map((arg) => toArgument(this.evalArg(dot, arg)));
    if (final !== missing) values.push(toArgument(final));
    if (target === builtinFunctions.printf) this.checkFormat(args[1], values[0] ?? null);
    const context: CallContext = {
      position: positionOf(at),
      name,
      executeTemplate: (templateName, data) => {
        const tree = this.environment.lookup(templateName);
        if (tree === undefined)
          return this.fail(node, `error calling ${name}: template ${JSON.stringify(templateName)} not defined`);
        if (this.depth >= maxExecDepth) this.fail(node, `exceeded maximum template depth (${maxExecDepth})`);
        return executeTree(this.environment, tree, data, this.depth + 1).text;
      },
      executeText: (text, data) => {
        const tree = this.environment.parseText(text, positionOf(node));
        if (this.depth >= maxExecDepth) this.fail(node, `exceeded maximum template depth (${maxExecDepth})`);
        return executeTree(this.environment, tree, data, this.depth + 1).text;
      },
    };
    try {
      const result = target(values, context);
      return result === undefined ? null : result;
    } catch (error) {
      if (TemplateError.isInstance(error)) throw error;
      if (error === breakSignal || error === continueSignal) throw error;
      if (error instanceof RangeError && error.message.includes("call stack")) throw error;
      if (error instanceof GoArgumentError) return this.fail(at, error.message);
      const message = error instanceof Error ? error.message : String(error);
      return this.fail(node, `error calling ${name}: ${message}`, error);
    }
  }

  /** printf's format is a Go string parameter: Go rejects another value at the argument, before the call. */
  private checkFormat(node: Node | undefined, value: GoValue): void {
    if (node === undefined || typeof value === "string") return;
    if (node.type === "nil") this.fail(node, "cannot assign nil to string");
    if (node.type === "number" || node.type === "bool") this.fail(node, `expected string; found ${nodeString(node)}`);
    this.fail(node, `wrong type for value; expected string; got ${goTypeName(value)}`);
  }

  private evalArg(dot: Value, node: Node): Value {
    switch (node.type) {
      case "dot":
        return dot;
      case "nil":
        return null;
      case "field":
        return this.evalFieldChain(dot, dot, node as FieldNode, (node as FieldNode).ident, [node], missing);
      case "variable":
        return this.evalVariable(dot, node, [], missing);
      case "pipe":
        return this.evalPipeline(dot, node);
      case "identifier":
        return this.evalFunction(dot, node, [], missing);
      case "chain": {
        if (node.node.type === "nil") this.fail(node, `indirection through explicit nil in ${nodeString(node)}`);
        const receiver = this.evalArg(dot, node.node);
        return this.evalFieldChain(dot, receiver, node, node.fields, [], missing);
      }
      case "bool":
        return node.value;
      case "number":
        return this.idealConstant(node);
      case "string":
        return node.text;
    }
    return this.fail(node, `can't handle assignment of ${nodeString(node)} to empty interface argument`);
  }

  private printValue(node: Node, value: Value): void {
    if (typeof value === "function") this.fail(node, `can't print ${nodeString(node)} of type ${goTypeName(value)}`);
    const text = value === undefined || value === null ? "<no value>" : formatGoValue(value);
    const position = positionOf(node);
    this.output.write(text, () => position);
  }
}
