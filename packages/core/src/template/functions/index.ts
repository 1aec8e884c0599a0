export { marshalJson, unmarshalJson } from "./json.js";
export type { HostLookup } from "./network.js";
export {
  compareSemanticVersions,
  parseSemanticConstraint,
  parseSemanticVersion,
  satisfiesConstraint,
} from "./semver.js";
export { type SprigOptions, sprigFunctions } from "./sprig.js";
export { deepEqual, isEmpty } from "./values.js";
export { type WerfFunctionOptions, werfFunctions } from "./werf.js";
export { marshalYaml, parseYamlMap } from "./yaml.js";
