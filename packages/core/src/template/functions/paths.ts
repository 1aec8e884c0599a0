/*
 * Go's path package (slash-separated paths) for Sprig's base, dir, clean, ext, isAbs and their os*
 * forms (filepath on Linux, where werf runs, reads the same).
 */
import type { FunctionMap, GoFunction } from "../model.js";
import { expectArity, stringArgument } from "./arguments.js";

/** path.Clean: the shortest equivalent path, "." for empty. */
export function cleanPath(path: string): string {
  if (path === "") return ".";
  const rooted = path.startsWith("/");
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!rooted) out.push("..");
      continue;
    }
    out.push(part);
  }
  const joined = out.join("/");
  if (rooted) return `/${joined}`;
  return joined === "" ? "." : joined;
}

/** path.Base: the last element; "." for empty, "/" for only slashes. */
export function basePath(path: string): string {
  if (path === "") return ".";
  const trimmed = path.replace(/\/+$/, "");
  if (trimmed === "") return "/";
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

/** path.Dir: all but the last element, cleaned. */
export function dirPath(path: string): string {
  return cleanPath(path.slice(0, path.lastIndexOf("/") + 1));
}

/** path.Ext: the suffix from the last dot of the last element. */
export function extPath(path: string): string {
  for (let index = path.length - 1; index >= 0 && path[index] !== "/"; index -= 1) {
    if (path[index] === ".") return path.slice(index);
  }
  return "";
}

function pathFunction(transform: (path: string) => string | boolean): GoFunction {
  return (args, context) => {
    expectArity(context.name, args, 1);
    return transform(stringArgument(args[0]));
  };
}

/** Sprig's path functions. */
export function pathFunctions(): FunctionMap {
  const isAbs = (path: string) => path.startsWith("/");
  return {
    base: pathFunction(basePath),
    dir: pathFunction(dirPath),
    clean: pathFunction(cleanPath),
    ext: pathFunction(extPath),
    isAbs: pathFunction(isAbs),
    osBase: pathFunction(basePath),
    osDir: pathFunction(dirPath),
    osClean: pathFunction(cleanPath),
    osExt: pathFunction(extPath),
    osIsAbs: pathFunction(isAbs),
  };
}
