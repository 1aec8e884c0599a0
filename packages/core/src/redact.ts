/**
 * Remembers every secret an adapter handles (passwords, identity tokens, registry tokens and the
 * header values built from them) and blanks them out of any text that leaves it. Also blanks what
 * looks like a credential whoever put it there (a registry echoing request headers in its error
 * body): `Basic <b64>`, `Bearer <token>` and JSON `"password": "..."`-like fields. Pure: adapters
 * compute the encodings (base64 and the like) of their secrets and add those too.
 */
export interface SecretRedactor {
  add(secret: string | null | undefined): void;
  redact(text: string): string;
}

/** What replaces a secret. */
export const redactedText = "***";

export function createSecretRedactor(): SecretRedactor {
  const secrets = new Set<string>();
  return {
    add(secret) {
      // Very short values would blank out ordinary words; they are not worth hiding either.
      if (!secret || secret.length < 4) return;
      secrets.add(secret);
      secrets.add(encodeURIComponent(secret));
      // As it appears inside JSON text (an echoed X-Registry-Auth, a config dump).
      secrets.add(JSON.stringify(secret).slice(1, -1));
    },
    redact(text) {
      let result = text;
      // Longest first: a secret containing another must go whole.
      for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
        if (result.includes(secret)) result = result.split(secret).join(redactedText);
      }
      return redactCredentialPatterns(result);
    },
  };
}

/** `Basic <b64>` / `Bearer <token>` (an Authorization value), however the text quotes it. */
const authorizationPattern = /\b(Basic|Bearer)(\s+)([A-Za-z0-9._~+/-]+=*)/gi;
/** JSON (or JSON-escaped) fields that hold a secret: `"password":"..."`, `\"auth\": \"...\"`. */
const secretFieldPattern =
  /((?:\\?")(?:password|passwd|identitytoken|identity_token|registrytoken|refresh_token|access_token|token|auth|secret)(?:\\?")\s*:\s*(?:\\?"))((?:[^"\\]|\\[^"])*)((?:\\?"))/gi;

/** Blanks values that look like credentials, whether or not anyone registered them. */
export function redactCredentialPatterns(text: string): string {
  return text
    .replace(authorizationPattern, (match, scheme: string, space: string, token: string) =>
      // `Bearer realm=...` is a challenge's parameter, not a token; short words are not secrets.
      token.length < 8 || /^[a-z]+=[^=]/i.test(token) ? match : `${scheme}${space}${redactedText}`,
    )
    .replace(secretFieldPattern, (match, start: string, value: string, end: string) =>
      value === "" || value === redactedText ? match : `${start}${redactedText}${end}`,
    );
}
