/**
 * A library some template functions need but that core does not load with itself, because loading
 * it costs every command (the elliptic curves, AES and scrypt). Template functions run synchronously,
 * so the library is loaded before rendering (prepareWerfConfigFunctions) when the sources name one of
 * its functions; a function that needs it without that says so.
 */
export interface OnDemandLibrary<T> {
  /** Loads the library (once). */
  load(): Promise<void>;
  /** Whether template sources name a function that may need it. */
  mayBeNeeded(texts: readonly string[]): boolean;
  /** The loaded library; `what` needs it and fails saying why when it is not loaded. */
  get(what: string): T;
}

export function onDemandLibrary<T>(options: {
  /** What it is, as the error says it: "the elliptic curves". */
  description: string;
  /** Function names that load it (whole words). */
  functions: readonly string[];
  /** The same names as the error says them: "genPrivateKey or a WithKey function". */
  functionsInWords: string;
  import(): Promise<T>;
}): OnDemandLibrary<T> {
  const named = new RegExp(`\\b(${options.functions.join("|")})\\b`);
  let loaded: T | undefined;
  return {
    async load() {
      loaded ??= await options.import();
    },
    mayBeNeeded: (texts) => texts.some((text) => named.test(text)),
    get(what) {
      if (loaded === undefined) {
        throw new Error(
          `${what} needs ${options.description}, which load before rendering only when the config or a partial names ${options.functionsInWords} (a name built at render time, as with tpl, does not load them)`,
        );
      }
      return loaded;
    },
  };
}
