/*
 * Sprig's regex functions (regex.go) over Go regexps: the pattern is RE2 syntax, translated by
 * config/go-regexp.ts; finding all skips an empty match right after a match, as Go does; replacement
 * templates expand `$1`, `${1}`, `$name` as Go's Regexp.Expand (where `$1x` is the group named "1x").
 */
import { compileGoRegexpUnanchored } from "../../config/go-regexp.js";
import type { FunctionMap, GoFunction, GoValue } from "../model.js";
import { expectArity, intArgument, stringArgument } from "./arguments.js";

/** Compiles a Go regexp or throws Go's error form. */
export function compileRegexp(source: string): RegExp {
  const compiled = compileGoRegexpUnanchored(source);
  if (!compiled.ok) throw new Error(`error parsing regexp: ${compiled.problem}: \`${source}\``);
  return compiled.regexp;
}

/** Go's FindAllStringSubmatchIndex: up to `limit` matches (all when negative). */
export function findAll(regexp: RegExp, text: string, limit = -1): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  regexp.lastIndex = 0;
  let previousEnd = -1;
  while (limit < 0 || out.length < limit) {
    if (regexp.lastIndex > text.length) break;
    const match = regexp.exec(text);
    if (match === null) break;
    const end = match.index + match[0].length;
    if (match[0] === "") {
      // An empty match abutting the previous match is ignored; move on by one character.
      const code = text.codePointAt(match.index) ?? 0;
      regexp.lastIndex = match.index + (code > 0xffff ? 2 : 1);
      if (match.index === previousEnd) continue;
    }
    out.push(match);
    previousEnd = end;
  }
  regexp.lastIndex = 0;
  return out;
}

/** Go's Regexp.Expand of a replacement template for one match. */
export function expandTemplate(template: string, match: RegExpExecArray): string {
  let out = "";
  let index = 0;
  while (index < template.length) {
    const dollar = template.indexOf("$", index);
    if (dollar === -1) {
      out += template.slice(index);
      break;
    }
    out += template.slice(index, dollar);
    const rest = template.slice(dollar + 1);
    if (rest.startsWith("$")) {
      out += "$";
      index = dollar + 2;
      continue;
    }
    const reference = /^(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/.exec(rest);
    if (reference === null) {
      out += "$";
      index = dollar + 1;
      continue;
    }
    const name = (reference[1] ?? reference[2]) as string;
    if (/^[0-9]+$/.test(name)) {
      const group = Number(name);
      out += group < match.length ? (match[group] ?? "") : "";
    } else {
      out += match.groups?.[name] ?? "";
    }
    index = dollar + 1 + reference[0].length;
  }
  return out;
}

function replaceAll(regexp: RegExp, text: string, replace: (match: RegExpExecArray) => string): string {
  let out = "";
  let last = 0;
  for (const match of findAll(regexp, text)) {
    out += text.slice(last, match.index) + replace(match);
    last = match.index + match[0].length;
  }
  return out + text.slice(last);
}

/** Go's Regexp.Split. */
export function splitRegexp(regexp: RegExp, source: string, text: string, limit: number): string[] {
  // Go's nil []string, printed [].
  if (limit === 0) return [];
  if (source.length > 0 && text.length === 0) return [""];
  const parts: string[] = [];
  let begin = 0;
  let end = 0;
  for (const match of findAll(regexp, text, limit)) {
    if (limit > 0 && parts.length === limit - 1) break;
    end = match.index;
    if (match.index + match[0].length !== 0) parts.push(text.slice(begin, end));
    begin = match.index + match[0].length;
  }
  if (end !== text.length) parts.push(text.slice(begin));
  return parts;
}

/** regexp.QuoteMeta. */
export function quoteMeta(text: string): string {
  return text.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&");
}

/** The must* form throws the compile error; the plain form of Sprig panics with it too (MustCompile). */
function withRegexp(
  count: number,
  body: (regexp: RegExp, args: readonly GoValue[], source: string) => GoValue,
): GoFunction {
  return (args, context) => {
    expectArity(context.name, args, count);
    const source = stringArgument(args[0]);
    return body(compileRegexp(source), args, source);
  };
}

/** Sprig's regex functions. */
export function regexFunctions(): FunctionMap {
  const match = withRegexp(2, (regexp, args) => {
    const text = stringArgument(args[1]);
    return findAll(regexp, text, 1).length > 0;
  });
  const find = withRegexp(2, (regexp, args) => findAll(regexp, stringArgument(args[1]), 1)[0]?.[0] ?? "");
  const findAllStrings = withRegexp(3, (regexp, args) => {
    const found = findAll(regexp, stringArgument(args[1]), intArgument(args[2])).map((item) => item[0]);
    // Go's FindAllString gives nil, printed `[]`, when nothing matches.
    return found;
  });
  const replace = withRegexp(3, (regexp, args) => {
    const template = stringArgument(args[2]);
    return replaceAll(regexp, stringArgument(args[1]), (item) => expandTemplate(template, item));
  });
  const replaceLiteral = withRegexp(3, (regexp, args) => {
    const replacement = stringArgument(args[2]);
    return replaceAll(regexp, stringArgument(args[1]), () => replacement);
  });
  const split = withRegexp(3, (regexp, args, source) =>
    splitRegexp(regexp, source, stringArgument(args[1]), intArgument(args[2])),
  );
  return {
    regexMatch: (args, context) => {
      // Sprig's regexMatch ignores a compile error (false); mustRegexMatch reports it.
      expectArity(context.name, args, 2);
      const compiled = compileGoRegexpUnanchored(stringArgument(args[0]));
      if (!compiled.ok) return false;
      return findAll(compiled.regexp, stringArgument(args[1]), 1).length > 0;
    },
    mustRegexMatch: match,
    regexFind: find,
    mustRegexFind: find,
    regexFindAll: findAllStrings,
    mustRegexFindAll: findAllStrings,
    regexReplaceAll: replace,
    mustRegexReplaceAll: replace,
    regexReplaceAllLiteral: replaceLiteral,
    mustRegexReplaceAllLiteral: replaceLiteral,
    regexSplit: split,
    mustRegexSplit: split,
    regexQuoteMeta: (args, context) => {
      expectArity(context.name, args, 1);
      return quoteMeta(stringArgument(args[0]));
    },
  };
}
