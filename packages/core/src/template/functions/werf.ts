/*
 * The functions werf registers over Sprig's (werf's pkg/config/parser.go funcMap): env, include, tpl,
 * required, toYaml and fromYaml (yaml.v2, in yaml.ts), and the debug forms tpl_debug, include_debug,
 * printf_debug and dump_debug (the last two print only under werf's --debug-templates, so they give "").
 */
import { formatGoValue } from "../format.js";
import type { FunctionMap, GoValue } from "../model.js";
import { anyArgument, expectArity, stringArgument } from "./arguments.js";
import { yamlFunctions } from "./yaml.js";

/** What werf's functions read from outside the template. */
export interface WerfFunctionOptions {
  /** The environment `env` reads (as data: core reads no process environment). */
  env: Readonly<Record<string, string | undefined>>;
  /** Called for every variable `env` reads, with its value (undefined when unset), so the render can report it. */
  onEnvRead?: (name: string, value: string | undefined) => void;
}

/**
 * werf's template functions. `env NAME [DEFAULT]`: the variable's value; DEFAULT when it is unset or
 * empty; "" when it is unset without a default (werf's loose giterminism, the rule stages follows: it has
 * no werf-giterminism.yaml; werf's strict mode would fail instead).
 */
export function werfFunctions(options: WerfFunctionOptions): FunctionMap {
  const include: FunctionMap[string] = (args, context) => {
    expectArity(context.name, args, 2);
    return context.executeTemplate(stringArgument(args[0]), anyArgument(args[1]));
  };
  const tpl: FunctionMap[string] = (args, context) => {
    expectArity(context.name, args, 2);
    return context.executeText(stringArgument(args[0]), anyArgument(args[1]));
  };
  return {
    ...yamlFunctions(),
    env: (args, context) => {
      expectArity(context.name, args, 1, true);
      if (args.length > 2) throw new Error("more than 1 optional argument prohibited");
      const name = formatGoValue(anyArgument(args[0]));
      const fallback = args.length === 2 ? stringArgument(args[1]) : undefined;
      const value = Object.hasOwn(options.env, name) ? options.env[name] : undefined;
      options.onEnvRead?.(name, value);
      if (value === undefined) return fallback ?? "";
      if (value === "" && fallback !== undefined) return fallback;
      return value;
    },
    required: (args, context) => {
      expectArity(context.name, args, 2);
      const message = stringArgument(args[0]);
      const value: GoValue = anyArgument(args[1]);
      if (value === null || value === "") throw new Error(message);
      return value;
    },
    include,
    tpl,
    include_debug: include,
    tpl_debug: tpl,
    printf_debug: (args, context) => {
      expectArity(context.name, args, 1, true);
      stringArgument(args[0]);
      return "";
    },
    dump_debug: (args, context) => {
      expectArity(context.name, args, 1);
      return "";
    },
  };
}
