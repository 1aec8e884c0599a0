const projectNamePattern = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
// One path component of a Docker repository name, as in distribution/reference.
const component = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const imageNamePattern = new RegExp(`^${component}(?:/${component})*$`);
// Docker limits a whole repository name to 255 characters; an image name is a part of one.
const maximumImageNameLength = 255;

/** Whether `name` can be a project name: one lowercase Docker path component. */
export function isProjectName(name: string): boolean {
  return projectNamePattern.test(name);
}

/**
 * Whether `name` can be an image or artifact name: Docker path components separated by "/", in any
 * case (werf accepts capitals; the Docker names made from it use `dockerImageName`).
 */
export function isImageName(name: string): boolean {
  return name.length <= maximumImageNameLength && imageNamePattern.test(name.toLowerCase());
}

/** The image name as it appears in Docker repository names: lower case (Docker allows nothing else). */
export function dockerImageName(name: string): string {
  return name.toLowerCase();
}

/** A hint for an invalid name: the closest valid spelling when there is one, else the rule. */
export function nameHint(name: string, allowSlash: boolean): string {
  const separators = allowSlash ? /[^a-zA-Z0-9/]+/g : /[^a-z0-9]+/g;
  const candidate = (allowSlash ? name : name.toLowerCase())
    .replace(separators, "-")
    .replace(/\/+/g, "/")
    .replace(/(^|\/)[-]+|[-]+($|\/)/g, "$1$2")
    .replace(/^\/+|\/+$/g, "");
  const valid = allowSlash ? isImageName(candidate) : isProjectName(candidate);
  const rule = allowSlash
    ? `use letters and digits, joined by ".", "_", "__" or "-", in parts separated by "/"`
    : `use lowercase letters and digits, joined by single ".", "_" or "-"`;
  return valid && candidate !== name ? `${rule}, e.g. "${candidate}"` : rule;
}
