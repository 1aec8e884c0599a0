/*
 * Sprig v3.2.3's function map, as werf links it (Masterminds/sprig functions.go), over template values.
 * Left out: `env` and `expandenv` (werf replaces the first and removes the second; see werf.ts).
 * getHostByName asks the caller's resolver (SprigOptions.lookupHost). A missing function is the
 * engine's "function X not defined", naming it. `now`, `ago`, `uuidv4`, `rand*`, `shuffle`, `bcrypt`,
 * `htpasswd`, `encryptAES`, `genPrivateKey` and the certificate generators are here because werf has
 * them; each render gives them a new value (a new salt, IV, key or serial), so what they reach
 * changes its signature on every build.
 */
import type { FunctionMap } from "../model.js";
import { certificateFunctions } from "./certs.js";
import { cryptoFunctions } from "./crypto.js";
import { dateFunctions } from "./date.js";
import { defaultFunctions } from "./defaults.js";
import { dictFunctions } from "./dicts.js";
import { encodingFunctions } from "./encoding.js";
import { jsonFunctions } from "./json.js";
import { keyFunctions } from "./keys.js";
import { listFunctions } from "./lists.js";
import { type HostLookup, networkFunctions } from "./network.js";
import { numericFunctions } from "./numeric.js";
import { pathFunctions } from "./paths.js";
import { randomFunctions } from "./random.js";
import { regexFunctions } from "./regex.js";
import { semverFunctions } from "./semver.js";
import { stringFunctions } from "./strings.js";
import { urlFunctions } from "./url.js";
import { yamlFunctions } from "./yaml.js";

/** What Sprig's functions need from outside a pure core. */
export interface SprigOptions {
  /** getHostByName's resolver; without it getHostByName fails saying so. */
  lookupHost?: HostLookup;
}

/**
 * Sprig's functions by name (with werf's toYaml and fromYaml, which werf registers over Sprig's map,
 * so every Sprig user of stages gets the same YAML). A new map each call: callers may add to it.
 */
export function sprigFunctions(options: SprigOptions = {}): FunctionMap {
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
    ...cryptoFunctions(),
    ...keyFunctions(),
    ...certificateFunctions(),
    ...urlFunctions(),
    ...networkFunctions(options.lookupHost),
    hello: () => "Hello!",
  };
}
