import { afterAll } from "vitest";
import { removeTemporaryDirectories } from "./temporary.js";

// Runs in every test file of the package (vitest setupFiles): what the file made in /tmp goes.
afterAll(() => {
  removeTemporaryDirectories();
});
