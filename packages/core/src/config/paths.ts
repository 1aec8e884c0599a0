/** Splits a path into its segments, dropping empty and "." ones and resolving ".." (never above the root). */
export function resolveSegments(path: string): string[] {
  const segments: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  return segments;
}

/**
 * Normalizes a path in the work tree (relative to the repository root): starts with "/", no trailing
 * slash except for the root itself. Null when it has a ".." segment, which could leave the repository.
 */
export function normalizeRepositoryPath(path: string): string | null {
  if (path.split("/").includes("..")) return null;
  return `/${resolveSegments(path).join("/")}`;
}

/** Normalizes an absolute path in an image: no repeated, trailing, "." or ".." segments. */
export function normalizeImagePath(path: string): string {
  return `/${resolveSegments(path).join("/")}`;
}

/** Whether a path in an image is absolute. */
export function isAbsolutePath(path: string): boolean {
  return path.startsWith("/");
}
