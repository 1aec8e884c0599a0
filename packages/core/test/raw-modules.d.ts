// Vitest (Vite) imports a file's text with `?raw`: test vectors are read without node:fs, so core's
// tests stay as pure as its code.
declare module "*?raw" {
  const text: string;
  export default text;
}
