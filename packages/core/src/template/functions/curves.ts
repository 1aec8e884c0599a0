/*
 * The elliptic curves of genPrivateKey "ecdsa"/"ed25519" and of certificates over such keys,
 * loaded only when a config needs them: @noble/curves takes as long to load as the YAML parser, and
 * every command that loads core would pay for it. Template functions run synchronously, so the
 * curves are loaded before rendering (prepareWerfConfigFunctions) when the sources name a function
 * that may need them; a function that needs them without that says so.
 */
import type { ed25519 as Ed25519 } from "@noble/curves/ed25519";
import type { p256 as P256 } from "@noble/curves/nist";

export interface EllipticCurves {
  p256: typeof P256;
  ed25519: typeof Ed25519;
}

let loaded: EllipticCurves | undefined;

/** Loads the curves (once). */
export async function loadEllipticCurves(): Promise<void> {
  if (loaded !== undefined) return;
  const [nist, edwards] = await Promise.all([import("@noble/curves/nist"), import("@noble/curves/ed25519")]);
  loaded = { p256: nist.p256, ed25519: edwards.ed25519 };
}

/** The functions whose ECDSA or Ed25519 work needs the curves (the PEM keys they make or take). */
const curveFunctions = /\b(genPrivateKey|genCAWithKey|genSelfSignedCertWithKey|genSignedCertWithKey)\b/;

/** Whether template sources name a function that may need the curves. */
export function mayNeedEllipticCurves(texts: readonly string[]): boolean {
  return texts.some((text) => curveFunctions.test(text));
}

/** The loaded curves; `what` needs them and fails saying why when they are not loaded. */
export function ellipticCurves(what: string): EllipticCurves {
  if (loaded === undefined) {
    throw new Error(
      `${what} needs the elliptic curves, which load before rendering only when the config or a partial names genPrivateKey or a WithKey function (a name built at render time, as with tpl, does not load them)`,
    );
  }
  return loaded;
}
