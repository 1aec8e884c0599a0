/*
 * The elliptic curves of genPrivateKey "ecdsa"/"ed25519" and of certificates over such keys:
 * @noble/curves takes as long to load as the YAML parser, so it loads on demand (on-demand.ts).
 */
import type { ed25519 as Ed25519 } from "@noble/curves/ed25519";
import type { p256 as P256 } from "@noble/curves/nist";
import { onDemandLibrary } from "./on-demand.js";

export interface EllipticCurves {
  p256: typeof P256;
  ed25519: typeof Ed25519;
}

const curves = onDemandLibrary<EllipticCurves>({
  description: "the elliptic curves",
  // The functions whose ECDSA or Ed25519 work needs the curves (the PEM keys they make or take).
  functions: ["genPrivateKey", "genCAWithKey", "genSelfSignedCertWithKey", "genSignedCertWithKey"],
  functionsInWords: "genPrivateKey or a WithKey function",
  async import() {
    const [nist, edwards] = await Promise.all([import("@noble/curves/nist"), import("@noble/curves/ed25519")]);
    return { p256: nist.p256, ed25519: edwards.ed25519 };
  },
});

/** Loads the curves (once). */
export const loadEllipticCurves = curves.load;
/** Whether template sources name a function that may need the curves. */
export const mayNeedEllipticCurves = curves.mayBeNeeded;
/** The loaded curves; `what` needs them and fails saying why when they are not loaded. */
export const ellipticCurves = curves.get;
