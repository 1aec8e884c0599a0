import { describe, expect, it } from "vitest";
import type { GoValue } from "../model.js";
import { callFunction } from "./test-support.js";

// Vectors from Sprig v3.2.3's strings_test.go and crypto_test.go, and RFC 4648's test vectors.
describe("Sprig encodings and checksums", () => {
  it.each<[string, GoValue[], string]>([
    ["b64enc", ["coffee"], "Y29mZmVl"],
    ["b64dec", ["Y29mZmVl"], "coffee"],
    ["b64enc", [""], ""],
    ["b64enc", ["f"], "Zg=="],
    ["b64enc", ["fo"], "Zm8="],
    ["b64enc", ["foo"], "Zm9v"],
    ["b64enc", ["foobar"], "Zm9vYmFy"],
    ["b64enc", ["héllo"], "aMOpbGxv"],
    ["b64dec", ["Zg=="], "f"],
    ["b64dec", ["Zm8="], "fo"],
    ["b64dec", ["Zm9v\nYmFy"], "foobar"],
    ["b32enc", ["coffee"], "MNXWMZTFMU======"],
    ["b32dec", ["MNXWMZTFMU======"], "coffee"],
    ["b32enc", ["foobar"], "MZXW6YTBOI======"],
    ["sha1sum", ["123456789"], "f7c3bc1d808e04732adf679965ccc34ca7ae3441"],
    ["sha256sum", ["123456789"], "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225"],
    [
      "sha512sum",
      ["123456789"],
      "d9e6762dd1c8eaf6d61b3c6192fc408d4d6d5f1176d0c29169bc24e71c3f274ad27fcd5811b313d681f7e55ec02d73d499c95455b6b5bb503acf574fba8ffe85",
    ],
    ["adler32sum", ["123456789"], "152961502"],
    ["adler32sum", ["Wikipedia"], "300286872"],
  ])("%s %j", (name, args, expected) => {
    expect(callFunction(name, args)).toBe(expected);
  });

  it("gives a decode error as the text, as Sprig does", () => {
    expect(callFunction("b64dec", ["Zm9v!"])).toMatch(/^illegal base64 data at input byte \d+$/);
    expect(callFunction("b64dec", ["Zg"])).toMatch(/^illegal base64 data at input byte \d+$/);
  });
});
