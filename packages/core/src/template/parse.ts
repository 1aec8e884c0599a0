/*
 * The parser of Go's text/template (text/template/parse/parse.go, Go 1.22): the same tree, the same
 * scoping of variables, the same error texts. A source gives one tree for its body plus one per
 * {{define}} and {{block}}.
 */
import { TemplateError } from "./errors.js";
import { quoteGo } from "./format.js";
import { type Item, type ItemType, isKeyword, lex } from "./lexer.js";
import type { TemplatePosition } from "./model.js";

/** Maps offsets of one source to positions (1-based line, column in code points). */
export class SourceMap {
  private readonly lineStarts: number[] = [0];
  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    for (let i = 0; i < text.length; i++) if (text[i] === "\n") this.lineStarts.push(i + 1);
  }
  position(offset: number): TemplatePosition {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((this.lineStarts[middle] as number) <= offset) low = middle;
      else high = middle - 1;
    }
    const lineStart = this.lineStarts[low] as number;
    return { file: this.file, line: low + 1, column: [...this.text.slice(lineStart, offset)].length + 1 };
  }
}

interface NodeBase {
  offset: number;
  source: SourceMap;
}
export interface ListNode extends NodeBase {
  type: "list";
  nodes: Node[];
}
export interface TextNode extends NodeBase {
  type: "text";
  text: string;
}
export interface CommentNode extends NodeBase {
  type: "comment";
  text: string;
}
export interface ActionNode extends NodeBase {
  type: "action";
  pipe: PipeNode;
}
export interface PipeNode extends NodeBase {
  type: "pipe";
  isAssign: boolean;
  decl: VariableNode[];
  commands: CommandNode[];
}
export interface CommandNode extends NodeBase {
  type: "command";
  args: Node[];
}
export interface IdentifierNode extends NodeBase {
  type: "identifier";
  name: string;
}
export interface VariableNode extends NodeBase {
  type: "variable";
  ident: string[];
}
export interface DotNode extends NodeBase {
  type: "dot";
}
export interface NilNode extends NodeBase {
  type: "nil";
}
export interface FieldNode extends NodeBase {
  type: "field";
  ident: string[];
}
export interface ChainNode extends NodeBase {
  type: "chain";
  node: Node;
  fields: string[];
}
export interface BoolNode extends NodeBase {
  type: "bool";
  value: boolean;
}
export interface NumberNode extends NodeBase {
  type: "number";
  text: string;
  isInt: boolean;
  isFloat: boolean;
  int: number;
  float: number;
}
export interface StringNode extends NodeBase {
  type: "string";
  quoted: string;
  text: string;
}
export interface BranchNode extends NodeBase {
  type: "if" | "range" | "with";
  pipe: PipeNode;
  list: ListNode;
  elseList: ListNode | null;
}
export interface TemplateNode extends NodeBase {
  type: "template";
  name: string;
  pipe: PipeNode | null;
}
export interface BreakNode extends NodeBase {
  type: "break" | "continue";
}
interface EndNode extends NodeBase {
  type: "end";
}
interface ElseNode extends NodeBase {
  type: "else";
}

export type Node =
  | ListNode
  | TextNode
  | CommentNode
  | ActionNode
  | PipeNode
  | CommandNode
  | IdentifierNode
  | VariableNode
  | DotNode
  | NilNode
  | FieldNode
  | ChainNode
  | BoolNode
  | NumberNode
  | StringNode
  | BranchNode
  | TemplateNode
  | BreakNode
  | EndNode
  | ElseNode;

/** A parsed template: a name and its body. */
export interface Tree {
  name: string;
  root: ListNode;
  source: SourceMap;
}

/** Whether a list holds only whitespace text and comments (Go's IsEmptyTree). */
export function isEmptyTree(node: Node): boolean {
  switch (node.type) {
    case "list":
      return node.nodes.every(isEmptyTree);
    case "text":
      return node.text.trim() === "";
    case "comment":
      return true;
    default:
      return false;
  }
}

/** Go's String() of a node: how errors quote it. */
export function nodeString(node: Node): string {
  switch (node.type) {
    case "list":
      return node.nodes.map(nodeString).join("");
    case "text":
      return quoteGo(node.text);
    case "comment":
      return `{{${node.text}}}`;
    case "action":
      return `{{${nodeString(node.pipe)}}}`;
    case "pipe": {
      let text = "";
      if (node.decl.length > 0) {
        text = `${node.decl.map(nodeString).join(", ")} ${node.isAssign ? "=" : ":="} `;
      }
      return text + node.commands.map(nodeString).join(" | ");
    }
    case "command":
      return node.args.map((arg) => (arg.type === "pipe" ? `(${nodeString(arg)})` : nodeString(arg))).join(" ");
    case "identifier":
      return node.name;
    case "variable":
      return node.ident.join(".");
    case "dot":
      return ".";
    case "nil":
      return "nil";
    case "field":
      return node.ident.map((part) => `.${part}`).join("");
    case "chain": {
      const inner = node.node.type === "pipe" ? `(${nodeString(node.node)})` : nodeString(node.node);
      return inner + node.fields.map((field) => `.${field}`).join("");
    }
    case "bool":
      return String(node.value);
    case "number":
      return node.text;
    case "string":
      return node.quoted;
    case "if":
    case "range":
    case "with": {
      let text = `{{${node.type} ${nodeString(node.pipe)}}}${nodeString(node.list)}`;
      if (node.elseList) text += `{{else}}${nodeString(node.elseList)}`;
      return `${text}{{end}}`;
    }
    case "template":
      return node.pipe
        ? `{{template ${JSON.stringify(node.name)} ${nodeString(node.pipe)}}}`
        : `{{template ${JSON.stringify(node.name)}}}`;
    case "break":
      return "{{break}}";
    case "continue":
      return "{{continue}}";
    case "end":
      return "{{end}}";
    case "else":
      return "{{else}}";
  }
}

/** Go's strconv.Unquote for "..." and `...` literals, and UnquoteChar for '.' ones. */
export function unquoteGo(quoted: string): string {
  const quote = quoted[0];
  if (quote === "`") {
    if (quoted.length < 2 || !quoted.endsWith("`")) throw new Error("invalid syntax");
    return quoted.slice(1, -1).replaceAll("\r", "");
  }
  if (quoted.length < 2 || quoted[quoted.length - 1] !== quote) throw new Error("invalid syntax");
  const body = quoted.slice(1, -1);
  let out = "";
  let pendingBytes: number[] = [];
  const flushBytes = (): void => {
    if (pendingBytes.length > 0) {
      out += new TextDecoder().decode(new Uint8Array(pendingBytes));
      pendingBytes = [];
    }
  };
  for (let i = 0; i < body.length; ) {
    const char = body[i] as string;
    if (char === quote && quote === "'") throw new Error("invalid syntax");
    if (char !== "\\") {
      if (char === "\n") throw new Error("invalid syntax");
      flushBytes();
      const code = body.codePointAt(i) ?? 0;
      out += String.fromCodePoint(code);
      i += code > 0xffff ? 2 : 1;
      continue;
    }
    const escaped = body[i + 1];
    i += 2;
    const simple: Record<string, string> = {
      a: "\x07",
      b: "\b",
      f: "\f",
      n: "\n",
      r: "\r",
      t: "\t",
      v: "\v",
      "\\": "\\",
    };
    if (escaped !== undefined && simple[escaped] !== undefined) {
      flushBytes();
      out += simple[escaped];
      continue;
    }
    if (escaped === quote) {
      flushBytes();
      out += quote;
      continue;
    }
    const hexDigits = (count: number): number => {
      const digits = body.slice(i, i + count);
      if (digits.length !== count || !/^[0-9a-fA-F]+$/.test(digits)) throw new Error("invalid syntax");
      i += count;
      return Number.parseInt(digits, 16);
    };
    if (escaped === "x") {
      const byte = hexDigits(2);
      if (quote === "'") out += String.fromCodePoint(byte);
      else pendingBytes.push(byte);
      continue;
    }
    if (escaped !== undefined && escaped >= "0" && escaped <= "7") {
      const digits = body.slice(i - 1, i + 2);
      if (!/^[0-7]{3}$/.test(digits)) throw new Error("invalid syntax");
      i += 2;
      const byte = Number.parseInt(digits, 8);
      if (byte > 255) throw new Error("invalid syntax");
      if (quote === "'") out += String.fromCodePoint(byte);
      else pendingBytes.push(byte);
      continue;
    }
    if (escaped === "u" || escaped === "U") {
      const code = hexDigits(escaped === "u" ? 4 : 8);
      if (code > 0x10ffff || (code >= 0xd800 && code < 0xe000)) throw new Error("invalid syntax");
      flushBytes();
      out += String.fromCodePoint(code);
      continue;
    }
    throw new Error("invalid syntax");
  }
  flushBytes();
  return out;
}

function parseGoInteger(text: string): bigint | undefined {
  let body = text;
  let negative = false;
  if (body.startsWith("+") || body.startsWith("-")) {
    negative = body.startsWith("-");
    body = body.slice(1);
  }
  let base = 10;
  let digits = body;
  const prefix = body.slice(0, 2).toLowerCase();
  if (prefix === "0x") [base, digits] = [16, body.slice(2)];
  else if (prefix === "0o") [base, digits] = [8, body.slice(2)];
  else if (prefix === "0b") [base, digits] = [2, body.slice(2)];
  else if (body.length > 1 && body.startsWith("0")) [base, digits] = [8, body.slice(1)];
  if (digits.includes("_")) {
    // Underscores only between digits (or right after a base prefix).
    if (base === 10 && body.startsWith("_")) return undefined;
    if (/__|_$/.test(digits)) return undefined;
    if (base === 10 || body.length === digits.length + 1) {
      if (digits.startsWith("_") && base === 10) return undefined;
    }
    digits = digits.replace(/^_/, "").replaceAll("_", "");
  }
  const valid = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ }[base as 2 | 8 | 10 | 16];
  if (!valid.test(digits)) return undefined;
  // BigInt decides int64 overflow exactly; the value itself is a JavaScript number.
  const prefix2 = { 2: "0b", 8: "0o", 10: "", 16: "0x" }[base as 2 | 8 | 10 | 16];
  return (negative ? -1n : 1n) * BigInt(`${prefix2}${digits}`);
}

function parseGoFloat(text: string): number | undefined {
  const body = text.replaceAll("_", "");
  if (/^[+-]?0[xX]/.test(body)) {
    const match = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?[0-9]+)$/.exec(body);
    if (!match) return undefined;
    const mantissa = Number.parseInt(`${match[2] || "0"}${match[3] ?? ""}`, 16) / 16 ** (match[3]?.length ?? 0);
    const value = mantissa * 2 ** Number(match[4]);
    return match[1] === "-" ? -value : value;
  }
  if (!/^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(body)) return undefined;
  return Number(body);
}

const isKeywordOrText = (item: Item): string => {
  if (item.type === "eof") return "EOF";
  if (item.type === "error") return item.value;
  if (isKeyword(item.type)) return `<${item.value}>`;
  const quoted = JSON.stringify(item.value);
  if ([...item.value].length > 10) return `${JSON.stringify([...item.value].slice(0, 10).join(""))}...`;
  return quoted;
};

interface ParseOptions {
  /** Whether a function name is known (`function "x" not defined` otherwise). */
  hasFunction(name: string): boolean;
}

/**
 * Parses one source into trees: the body under `source.file` and one per {{define}}/{{block}}.
 * Throws TemplateError with Go's messages.
 */
export function parseTemplate(file: string, text: string, options: ParseOptions): Map<string, Tree> {
  const source = new SourceMap(file, text);
  const items = lex(text);
  const trees = new Map<string, Tree>();
  let index = 0;
  let vars: string[] = ["$"];
  let rangeDepth = 0;
  let actionOffset: number | null = null;
  let lastOffset = 0;

  const fail = (message: string, offset = lastOffset): never => {
    throw new TemplateError(source.position(offset), message);
  };
  const next = (): Item => {
    const item = items[index] ?? (items[items.length - 1] as Item);
    if (index < items.length) index++;
    lastOffset = item.offset;
    if (item.type === "error") {
      let extra = "";
      if (actionOffset !== null && source.position(actionOffset).line !== source.position(item.offset).line) {
        extra = ` in action started at ${file}:${source.position(actionOffset).line}`;
      }
      if (item.value === "unclosed action" && extra) extra = extra.slice(" in action".length);
      fail(`${item.value}${extra}`, item.offset);
    }
    return item;
  };
  const backup = (count = 1): void => {
    index -= count;
  };
  const peek = (): Item => {
    const item = next();
    backup();
    return item;
  };
  const nextNonSpace = (): Item => {
    let item = next();
    while (item.type === "space") item = next();
    return item;
  };
  const peekNonSpace = (): Item => {
    const item = nextNonSpace();
    backup();
    return item;
  };
  const unexpected = (item: Item, context: string): never =>
    fail(`unexpected ${isKeywordOrText(item)} in ${context}`, item.offset);
  const expect = (type: ItemType, context: string): Item => {
    const item = nextNonSpace();
    if (item.type !== type) unexpected(item, context);
    return item;
  };
  const node = <T extends Node["type"]>(type: T, offset: number) => ({ type, offset, source });

  const newNumber = (item: Item): NumberNode => {
    const text = item.value;
    const base = { ...node("number", item.offset), text, isInt: false, isFloat: false, int: 0, float: 0 };
    if (item.type === "charConstant") {
      let value: string;
      try {
        value = unquoteGo(text);
      } catch {
        return fail(`malformed character constant: ${text}`, item.offset);
      }
      const code = value.codePointAt(0);
      if (code === undefined || [...value].length !== 1)
        return fail(`malformed character constant: ${text}`, item.offset);
      return { ...base, isInt: true, isFloat: true, int: code, float: code };
    }
    const imaginary =
      text.endsWith("i") &&
      (parseGoFloat(text.slice(0, -1)) !== undefined || parseGoInteger(text.slice(0, -1)) !== undefined);
    if (item.type === "complex" || imaginary) {
      return fail(
        `complex number ${text} is not supported by stages (Go templates only allow it in complex arithmetic)`,
        item.offset,
      );
    }
    // Plain decimal integers are most numbers in a config: no BigInt needed for them.
    if (/^[+-]?[1-9][0-9]{0,14}$|^0$/.test(text)) {
      const value = Number(text);
      return { ...base, isInt: true, isFloat: true, int: value, float: value };
    }
    const integer = parseGoInteger(text);
    if (integer !== undefined && integer <= 2n ** 64n - 1n && integer >= -(2n ** 63n)) {
      // Beyond int64 it is still a uint64 constant: exec says it overflows int, as Go.
      const isInt = integer <= 2n ** 63n - 1n;
      const value = Number(integer);
      return { ...base, isInt, isFloat: true, int: isInt ? value : 0, float: value };
    }
    const float = parseGoFloat(text);
    if (float !== undefined && Number.isFinite(float)) {
      if (!/[.eEpP]/.test(text) || /^[+-]?0[xX][^pP]*$/.test(text))
        return fail(`integer overflow: ${JSON.stringify(text)}`, item.offset);
      const isInt = Number.isInteger(float) && Math.abs(float) < 2 ** 63;
      return { ...base, isInt, isFloat: true, int: isInt ? float : 0, float };
    }
    return fail(`illegal number syntax: ${JSON.stringify(text)}`, item.offset);
  };

  const useVar = (item: Item): VariableNode => {
    const ident = item.value.split(".");
    if (!vars.includes(ident[0] as string)) fail(`undefined variable ${JSON.stringify(ident[0])}`, item.offset);
    return { ...node("variable", item.offset), ident };
  };

  const term = (): Node | null => {
    const item = nextNonSpace();
    switch (item.type) {
      case "identifier":
        if (!options.hasFunction(item.value)) fail(`function ${JSON.stringify(item.value)} not defined`, item.offset);
        return { ...node("identifier", item.offset), name: item.value };
      case "dot":
        return node("dot", item.offset);
      case "nil":
        return node("nil", item.offset);
      case "variable":
        return useVar(item);
      case "field":
        return { ...node("field", item.offset), ident: item.value.slice(1).split(".") };
      case "bool":
        return { ...node("bool", item.offset), value: item.value === "true" };
      case "charConstant":
      case "complex":
      case "number":
        return newNumber(item);
      case "leftParen":
        return pipeline("parenthesized pipeline", "rightParen");
      case "string":
      case "rawString": {
        let value: string;
        try {
          value = unquoteGo(item.value);
        } catch (error) {
          return fail(`${(error as Error).message}: ${item.value}`, item.offset);
        }
        return { ...node("string", item.offset), quoted: item.value, text: value };
      }
    }
    backup();
    return null;
  };

  const operand = (): Node | null => {
    const found = term();
    if (found === null) return null;
    if (peek().type !== "field") return found;
    const fields: string[] = [];
    const chainOffset = peek().offset;
    while (peek().type === "field") fields.push(...next().value.slice(1).split("."));
    switch (found.type) {
      case "field":
        return { ...node("field", found.offset), ident: [...found.ident, ...fields] };
      case "variable":
        return { ...node("variable", found.offset), ident: [...found.ident, ...fields] };
      case "bool":
      case "string":
      case "number":
      case "nil":
      case "dot":
        return fail(`unexpected . after term ${JSON.stringify(nodeString(found))}`, chainOffset);
      default:
        return { ...node("chain", chainOffset), node: found, fields };
    }
  };

  const command = (): CommandNode => {
    const result: CommandNode = { ...node("command", peekNonSpace().offset), args: [] };
    for (;;) {
      peekNonSpace();
      const found = operand();
      if (found !== null) result.args.push(found);
      const item = next();
      if (item.type === "space") continue;
      if (item.type === "rightDelim" || item.type === "rightParen") backup();
      else if (item.type !== "pipe") unexpected(item, "operand");
      break;
    }
    if (result.args.length === 0) fail("empty command");
    return result;
  };

  const pipeline = (context: string, end: ItemType): PipeNode => {
    const first = peekNonSpace();
    const pipe: PipeNode = { ...node("pipe", first.offset), isAssign: false, decl: [], commands: [] };
    for (;;) {
      const variable = peekNonSpace();
      if (variable.type !== "variable") break;
      const variableIndex = index;
      next();
      const tokenAfterVariable = peek();
      const following = peekNonSpace();
      if (following.type === "assign" || following.type === "declare") {
        pipe.isAssign = following.type === "assign";
        nextNonSpace();
        pipe.decl.push({ ...node("variable", variable.offset), ident: variable.value.split(".") });
        vars.push(variable.value);
      } else if (following.type === "char" && following.value === ",") {
        nextNonSpace();
        pipe.decl.push({ ...node("variable", variable.offset), ident: variable.value.split(".") });
        vars.push(variable.value);
        if (context === "range" && pipe.decl.length < 2) {
          const after = peekNonSpace().type;
          if (after === "variable" || after === "rightDelim" || after === "rightParen") continue;
          fail("range can only initialize variables");
        }
        fail(`too many declarations in ${context}`);
      } else {
        // "$x foo" or "$x.F": $x is an operand, not a declaration; back up to it.
        index = variableIndex;
      }
      break;
    }
    for (;;) {
      const item = nextNonSpace();
      if (item.type === end) {
        if (pipe.commands.length === 0) fail(`missing value for ${context}`);
        pipe.commands.slice(1).forEach((stage, position) => {
          const kind = stage.args[0]?.type;
          if (kind === "bool" || kind === "dot" || kind === "nil" || kind === "number" || kind === "string") {
            fail(`non executable command in pipeline stage ${position + 2}`);
          }
        });
        return pipe;
      }
      switch (item.type) {
        case "bool":
        case "charConstant":
        case "complex":
        case "dot":
        case "field":
        case "identifier":
        case "number":
        case "nil":
        case "rawString":
        case "string":
        case "variable":
        case "leftParen":
          backup();
          pipe.commands.push(command());
          break;
        default:
          unexpected(item, context);
      }
    }
  };

  const parseTemplateName = (item: Item, context: string): string => {
    if (item.type !== "string" && item.type !== "rawString") return unexpected(item, context);
    try {
      return unquoteGo(item.value);
    } catch (error) {
      return fail((error as Error).message, item.offset);
    }
  };

  const addTree = (name: string, root: ListNode): void => {
    const existing = trees.get(name);
    if (existing === undefined || isEmptyTree(existing.root)) {
      trees.set(name, { name, root, source });
      return;
    }
    if (!isEmptyTree(root)) fail(`template: multiple definition of template ${JSON.stringify(name)}`);
  };

  const control = (context: "if" | "range" | "with"): Omit<BranchNode, "type" | "offset" | "source"> => {
    const saved = vars.length;
    try {
      const pipe = pipeline(context, "rightDelim");
      if (context === "range") rangeDepth++;
      let [list, ending] = itemList();
      if (context === "range") rangeDepth--;
      let elseList: ListNode | null = null;
      if (ending.type === "else") {
        const following = peek().type;
        if ((context === "if" && following === "if") || (context === "with" && following === "with")) {
          next();
          elseList = { ...node("list", ending.offset), nodes: [] };
          const nested = context === "if" ? branch("if") : branch("with");
          elseList.nodes.push(nested);
        } else {
          [elseList, ending] = itemList();
          if (ending.type !== "end") fail(`expected end; found ${nodeString(ending)}`);
        }
      }
      list = list as ListNode;
      return { pipe, list, elseList };
    } finally {
      vars.length = saved;
    }
  };

  const branch = (context: "if" | "range" | "with"): BranchNode => {
    const offset = peekNonSpace().offset;
    return { ...node(context, offset), ...control(context) };
  };

  const action = (): Node => {
    const item = nextNonSpace();
    switch (item.type) {
      case "block": {
        const context = "block clause";
        const nameItem = nextNonSpace();
        const name = parseTemplateName(nameItem, context);
        const pipe = pipeline(context, "rightDelim");
        const savedVars = vars;
        const savedRange = rangeDepth;
        vars = ["$"];
        rangeDepth = 0;
        const [body, ending] = itemList();
        vars = savedVars;
        rangeDepth = savedRange;
        if (ending.type !== "end") fail(`unexpected ${nodeString(ending)} in ${context}`);
        addTree(name, body);
        return { ...node("template", nameItem.offset), name, pipe };
      }
      case "break":
      case "continue": {
        const closing = nextNonSpace();
        if (closing.type !== "rightDelim") unexpected(closing, `{{${item.type}}}`);
        if (rangeDepth === 0) fail(`{{${item.type}}} outside {{range}}`, item.offset);
        return node(item.type, item.offset);
      }
      case "else": {
        const following = peekNonSpace();
        if (following.type === "if" || following.type === "with") return node("else", following.offset);
        const closing = expect("rightDelim", "else");
        return node("else", closing.offset);
      }
      case "end":
        return node("end", expect("rightDelim", "end").offset);
      case "if":
      case "range":
      case "with":
        return branch(item.type);
      case "template": {
        const context = "template clause";
        const nameItem = nextNonSpace();
        const name = parseTemplateName(nameItem, context);
        let pipe: PipeNode | null = null;
        if (nextNonSpace().type !== "rightDelim") {
          backup();
          pipe = pipeline(context, "rightDelim");
        }
        return { ...node("template", nameItem.offset), name, pipe };
      }
    }
    backup();
    const first = peek();
    return { ...node("action", first.offset), pipe: pipeline("command", "rightDelim") };
  };

  const textOrAction = (): Node => {
    const item = nextNonSpace();
    switch (item.type) {
      case "text":
        return { ...node("text", item.offset), text: item.value };
      case "leftDelim": {
        const saved = actionOffset;
        actionOffset = item.offset;
        try {
          return action();
        } finally {
          actionOffset = saved;
        }
      }
      case "comment":
        return { ...node("comment", item.offset), text: item.value };
      default:
        return unexpected(item, "input");
    }
  };

  const itemList = (): [ListNode, Node] => {
    const list: ListNode = { ...node("list", peekNonSpace().offset), nodes: [] };
    while (peekNonSpace().type !== "eof") {
      const found = textOrAction();
      if (found.type === "end" || found.type === "else") return [list, found];
      // Comments are dropped, as Go's parser does without its ParseComments mode.
      if (found.type !== "comment") list.nodes.push(found);
    }
    return fail("unexpected EOF");
  };

  const root: ListNode = { ...node("list", 0), nodes: [] };
  while (peek().type !== "eof") {
    if (peek().type === "leftDelim") {
      const delimIndex = index;
      const delim = next();
      // A lexing error right after "{{" belongs to this action (Go: "unclosed action started at ...").
      actionOffset = delim.offset;
      const keyword = nextNonSpace().type;
      actionOffset = null;
      if (keyword === "define") {
        const context = "define clause";
        const nameItem = nextNonSpace();
        if (nameItem.type !== "string" && nameItem.type !== "rawString") unexpected(nameItem, context);
        const name = parseTemplateName(nameItem, context);
        expect("rightDelim", context);
        vars = ["$"];
        rangeDepth = 0;
        const [body, ending] = itemList();
        if (ending.type !== "end") fail(`unexpected ${nodeString(ending)} in ${context}`);
        addTree(name, body);
        continue;
      }
      index = delimIndex;
    }
    const found = textOrAction();
    if (found.type === "end" || found.type === "else") fail(`unexpected ${nodeString(found)}`, found.offset);
    if (found.type !== "comment") root.nodes.push(found);
  }
  addTree(file, root);
  return trees;
}
