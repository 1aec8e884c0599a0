import { beforeAll, describe, expect, it } from "vitest";
import { createTemplateSet } from "../index.js";
import { bcryptHash } from "./bcrypt.js";
import { loadCiphers } from "./ciphers.js";
import { decryptAES, encryptAES } from "./crypto.js";
import { sprigFunctions } from "./sprig.js";

beforeAll(loadCiphers);

function render(text: string): string {
  const set = createTemplateSet(sprigFunctions());
  set.add({ file: "werf.yaml", text });
  return set.execute("werf.yaml", null).text;
}

const alphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** The 16 salt bytes of bcrypt's 22-character salt. */
function saltBytes(text: string): Uint8Array {
  let bits = 0n;
  for (const char of text) bits = (bits << 6n) | BigInt(alphabet.indexOf(char));
  bits >>= 4n; // 22 × 6 = 132 bits, of which the last 4 are padding
  return Uint8Array.from({ length: 16 }, (_, i) => Number((bits >> BigInt((15 - i) * 8)) & 0xffn));
}

describe("derivePassword", () => {
  // Sprig v3.2.3's crypto_test.go (TestDerivePassword): the same inputs and outputs.
  it.each([
    [1, "long", "ZedaFaxcZaso9*"],
    [2, "long", "Fovi2@JifpTupx"],
    [1, "maximum", "pf4zS1LjCg&LjhsZ7T2~"],
    [1, "medium", "ZedJuz8$"],
    [1, "basic", "pIS54PLs"],
    [1, "short", "Zed5"],
    [1, "pin", "6685"],
  ])("counter %d, %s", (counter, type, expected) => {
    expect(render(`{{ derivePassword ${counter} "${type}" "password" "user" "example.com" }}`)).toBe(expected);
  });

  it("says so for an unknown template, as Sprig", () => {
    expect(render('{{ derivePassword 1 "huge" "password" "user" "example.com" }}')).toBe(
      "cannot find password template huge",
    );
  });
});

describe("encryptAES and decryptAES", () => {
  it("round-trips, as Sprig's test, with a new IV every time", () => {
    expect(render('{{ "plaintext" | encryptAES "secretkey" | decryptAES "secretkey" }}')).toBe("plaintext");
    const first = encryptAES("secretkey", "plaintext");
    expect(first).not.toBe(encryptAES("secretkey", "plaintext"));
    // IV and one padded block, base64.
    expect(globalThis.atob(first)).toHaveLength(32);
    expect(decryptAES("secretkey", encryptAES("secretkey", "sixteen bytes!!!"))).toBe("sixteen bytes!!!");
    expect(
      decryptAES(
        "a key longer than the thirty-two bytes AES takes",
        encryptAES("a key longer than the thirty-two bytes AES takes", "ünïcode"),
      ),
    ).toBe("ünïcode");
    expect(render('{{ encryptAES "k" "" }}|{{ decryptAES "k" "" }}')).toBe("|");
  });

  it("decrypts Sprig's layout (AES-256-CBC, key zero-padded, IV first)", () => {
    // AES-256-CBC of "plaintext" (PKCS#7) under "secretkey" zero-padded to 32 bytes, IV 000102...0f,
    // by OpenSSL (openssl enc -aes-256-cbc -K ... -iv ...), with the IV in front: Sprig's layout.
    const iv = Uint8Array.from({ length: 16 }, (_, i) => i);
    const sealed = "AAECAwQFBgcICQoLDA0OD4aChIkqfhLglmmHSXlA6r0=";
    expect(globalThis.atob(sealed).slice(0, 16)).toBe(String.fromCharCode(...iv));
    expect(decryptAES("secretkey", sealed)).toBe("plaintext");
  });

  it("fails where Go panics, with Go's runtime message", () => {
    expect(() => render('{{ decryptAES "k" "c2hvcnQ=" }}')).toThrow(
      "error calling decryptAES: runtime error: slice bounds out of range [:16] with capacity 5",
    );
    expect(() => render('{{ decryptAES "k" "not base64!" }}')).toThrow(
      "error calling decryptAES: illegal base64 data at input byte 3",
    );
  });
});

describe("bcrypt and htpasswd", () => {
  // Hashes from libxcrypt's bcrypt (Python's crypt.crypt with these salts), the $2a$ form Go prints.
  it.each([
    ["allmine", 10, "XajjQvNhvvRt5GSeFk1xFe", "$2a$10$XajjQvNhvvRt5GSeFk1xFeyqRrsxkhBkUiQeg0dt.wU1qD4aFDcga"],
    ["", 6, "DCq7YPn5Rq63x1Lad4cll.", "$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s."],
    ["U*U", 5, "CCCCCCCCCCCCCCCCCCCCC.", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"],
    ["a".repeat(72), 4, "abcdefghijklmnopqrstuu", "$2a$04$abcdefghijklmnopqrstuuBzzIgyKkz7xMWYSzkIjUSnxEQFQ0WNe"],
    ["héllo wörld", 4, "012345678901234567890u", "$2a$04$012345678901234567890uUvvq7prO0Bgou1Dx9i.XpDpbT/BhQTG"],
  ])("%s", (password, cost, salt, expected) => {
    expect(bcryptHash(new TextEncoder().encode(password), cost, saltBytes(salt))).toBe(expected);
  });

  it("refuses a password over 72 bytes as Sprig prints x/crypto's error", () => {
    expect(render(`{{ bcrypt "${"a".repeat(73)}" }}`)).toBe(
      "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes",
    );
  });

  it("hashes at cost 10 with a random salt; htpasswd prefixes the user", () => {
    const hash = render('{{ bcrypt "secret" }}');
    expect(hash).toMatch(/^\$2a\$10\$[./A-Za-z0-9]{53}$/);
    expect(render('{{ bcrypt "secret" }}')).not.toBe(hash);
    const line = render('{{ htpasswd "admin" "secret" }}');
    expect(line).toMatch(/^admin:\$2a\$10\$[./A-Za-z0-9]{53}$/);
    const salt = line.slice("admin:$2a$10$".length, "admin:$2a$10$".length + 22);
    expect(bcryptHash(new TextEncoder().encode("secret"), 10, saltBytes(salt))).toBe(line.slice("admin:".length));
    expect(render('{{ htpasswd "ad:min" "secret" }}')).toBe("invalid username: ad:min");
  });
});
