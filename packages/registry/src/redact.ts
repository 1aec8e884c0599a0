/**
 * Remembers every secret the client handles (passwords, identity tokens, registry tokens and the
 * header values built from them) and blanks them out of any text that leaves the client.
 */
export interface SecretRedactor {
  add(secret: string | null | undefined): void;
  redact(text: string): string;
}

export function createSecretRedactor(): SecretRedactor {
  const secrets = new Set<string>();
  return {
    add(secret) {
      // Very short values would blank out ordinary words; they are not worth hiding either.
      if (!secret || secret.length < 4) return;
      secrets.add(secret);
      secrets.add(encodeURIComponent(secret));
    },
    redact(text) {
      let result = text;
      for (const secret of secrets) {
        if (result.includes(secret)) result = result.split(secret).join("***");
      }
      return result;
    },
  };
}
