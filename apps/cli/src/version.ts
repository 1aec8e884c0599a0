/** The version of the stages CLI (kept equal to apps/cli/package.json by the release). */
export const version = "0.1.0";
