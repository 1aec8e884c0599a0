/*
 * Sprig v3.2.3's function map, as werf links it (Masterminds/sprig functions.go), over template values.
 * Left out: `env` and `expandenv` (werf replaces the first and removes the second; see werf.ts),
 * and the network, URL and certificate/crypto generators
 * (getHostByName, urlParse, genCA, bcrypt, encryptAES, ...), which no werf.yaml needs to build an image.
 * A missing function is the engine's "function X not defined", naming it. `now`, `ago`, `uuidv4` and
 * `rand*` are here because werf has them; what they reach changes its signature on every build.
 */
import type { FunctionMap } from "../model.js";
import { dateFunctions } from "./date.js";
import { defaultFunctions } from "./defaults.js";
import { dictFunctions } from "./dicts.js";
import { encodingFunctions } from "./encoding.js";
import { jsonFunctions } from "./json.js";
import { listFunctions } from "./lists.js";
import { numericFunctions } from "./numeric.js";
import { pathFunctions } from "./paths.js";
import { randomFunctions } from "./random.js";
import { regexFunctions } from "./regex.js";
import { semverFunctions } from "./semver.js";
import { stringFunctions } from "./strings.js";
import { yamlFunctions } from "./yaml.js";

/**
 * Sprig's functions by name (with werf's toYaml and fromYaml, which werf registers over Sprig's map,
 * so every Sprig user of stages gets the same YAML). A new map each call: callers may add to it.
 */
export function sprigFunctions(): FunctionMap {
  return {
    ...stringFunctions(),
    ...listFunctions(),
    ...dictFunctions(),
    ...defaultFunctions(),
    ...jsonFunctions(),
    ...yamlFunctions(),
    ...numericFunctions(),
    ...pathFunctions(),
    ...encodingFunctions(),
    ...regexFunctions(),
    ...semverFunctions(),
    ...randomFunctions(),
    ...dateFunctions(),
    hello: () => "Hello!",
  };
}
