/*
 * Sprig's dict functions (dict.go). Dicts are Go maps: `set` and `unset` change the map they are given
 * (templates rely on it: `{{ $_ := set $d "k" "v" }}`), `merge` and `mergeOverwrite` change their first
 * argument as mergo does. Where Go's map order is random (`keys`, `values`) stages gives sorted order.
 */
import type { FunctionMap, GoFunction, GoValue } from "../model.js";
import { expectArity, mapArgument, stringArgument } from "./arguments.js";
import { stringValue } from "./strings.js";
import { isEmpty, sortedKeys } from "./values.js";

/** mergo.Merge (overwrite false) or MergeWithOverwrite into `target`, as Sprig's merge functions call it. */
export function mergeMaps(
  target: Map<string, GoValue>,
  source: ReadonlyMap<string, GoValue>,
  overwrite: boolean,
): void {
  for (const [key, value] of source) {
    // A nil in the source is never copied (mergo reads it as an invalid value).
    if (value === null) continue;
    const current = target.get(key);
    if (value instanceof Map && current instanceof Map) {
      mergeMaps(current, value, overwrite);
      continue;
    }
    const present = current !== undefined && !isEmpty(current);
    if (Array.isArray(value)) {
      if (overwrite || !present) target.set(key, value);
      continue;
    }
    if (value instanceof Map && present) continue;
    if (overwrite || !present) target.set(key, value);
  }
}

/** A deep copy of a value (copystructure.Copy, for `deepCopy`). */
export function deepCopy(value: GoValue): GoValue {
  if (Array.isArray(value)) return value.map(deepCopy);
  if (value instanceof Map) return new Map([...value].map(([key, item]) => [key, deepCopy(item)]));
  return value;
}

function writableMap(value: GoValue | undefined): Map<string, GoValue> {
  if (value === null || value === undefined) throw new Error("assignment to entry in nil map");
  return mapArgument(value);
}

/** Sprig's dict functions. */
export function dictFunctions(): FunctionMap {
  const functions = plainDictFunctions();
  return {
    ...functions,
    mustMerge: functions.merge as GoFunction,
    mustMergeOverwrite: functions.mergeOverwrite as GoFunction,
    mustDeepCopy: functions.deepCopy as GoFunction,
  };
}

function plainDictFunctions(): FunctionMap {
  return {
    dict: (args) => {
      const map = new Map<string, GoValue>();
      for (let index = 0; index < args.length; index += 2) {
        map.set(stringValue(args[index] as GoValue), index + 1 < args.length ? (args[index + 1] as GoValue) : "");
      }
      return map;
    },
    get: (args, context) => {
      expectArity(context.name, args, 2);
      const map = mapArgument(args[0]);
      const key = stringArgument(args[1]);
      return map.has(key) ? (map.get(key) as GoValue) : "";
    },
    set: (args, context) => {
      expectArity(context.name, args, 3);
      const map = writableMap(args[0]);
      map.set(stringArgument(args[1]), args[2] as GoValue);
      return map;
    },
    unset: (args, context) => {
      expectArity(context.name, args, 2);
      const map = mapArgument(args[0]);
      map.delete(stringArgument(args[1]));
      return map;
    },
    hasKey: (args, context) => {
      expectArity(context.name, args, 2);
      return mapArgument(args[0]).has(stringArgument(args[1]));
    },
    pluck: (args, context) => {
      expectArity(context.name, args, 1, true);
      const key = stringArgument(args[0]);
      const out: GoValue[] = [];
      for (const value of args.slice(1)) {
        const map = mapArgument(value);
        if (map.has(key)) out.push(map.get(key) as GoValue);
      }
      return out;
    },
    keys: (args) => args.flatMap((value) => sortedKeys(mapArgument(value))),
    values: (args, context) => {
      expectArity(context.name, args, 1);
      const map = mapArgument(args[0]);
      return sortedKeys(map).map((key) => map.get(key) as GoValue);
    },
    pick: (args, context) => {
      expectArity(context.name, args, 1, true);
      const map = mapArgument(args[0]);
      const out = new Map<string, GoValue>();
      for (const key of args.slice(1).map(stringArgument)) if (map.has(key)) out.set(key, map.get(key) as GoValue);
      return out;
    },
    omit: (args, context) => {
      expectArity(context.name, args, 1, true);
      const map = mapArgument(args[0]);
      const omit = new Set(args.slice(1).map(stringArgument));
      return new Map([...map].filter(([key]) => !omit.has(key)));
    },
    merge: (args, context) => {
      expectArity(context.name, args, 1, true);
      const target = mapArgument(args[0]);
      for (const source of args.slice(1)) mergeMaps(target, mapArgument(source), false);
      return target;
    },
    mergeOverwrite: (args, context) => {
      expectArity(context.name, args, 1, true);
      const target = mapArgument(args[0]);
      for (const source of args.slice(1)) mergeMaps(target, mapArgument(source), true);
      return target;
    },
    deepCopy: (args, context) => {
      expectArity(context.name, args, 1);
      return deepCopy(args[0] as GoValue);
    },
    dig: (args) => {
      if (args.length < 3) throw new Error("dig needs at least three arguments");
      let map = args[args.length - 1] as GoValue;
      const fallback = args[args.length - 2] as GoValue;
      const keys = args.slice(0, -2).map((key) => {
        if (typeof key !== "string") throw new Error("interface conversion: interface {} is not string");
        return key;
      });
      for (const [index, key] of keys.entries()) {
        if (!(map instanceof Map)) {
          throw new Error("interface conversion: interface {} is not map[string]interface {}");
        }
        if (!map.has(key)) return fallback;
        const step = map.get(key) as GoValue;
        if (index === keys.length - 1) return step;
        map = step;
      }
      return fallback;
    },
  };
}
