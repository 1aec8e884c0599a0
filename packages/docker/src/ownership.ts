/** Users and groups of an image, read from its /etc/passwd and /etc/group. */
export interface AccountDatabase {
  users: ReadonlyMap<string, { uid: number; gid: number }>;
  groups: ReadonlyMap<string, number>;
}

/** Numeric owner and group to write; null keeps the default of the caller. */
export interface Ownership {
  uid: number | null;
  gid: number | null;
}

/** Parses /etc/passwd and /etc/group texts (either may be empty when the image has none). */
export function parseAccounts(passwd: string, group: string): AccountDatabase {
  const users = new Map<string, { uid: number; gid: number }>();
  for (const line of passwd.split("\n")) {
    const fields = line.trim().split(":");
    if (fields.length < 4 || fields[0] === "" || line.trim().startsWith("#")) continue;
    const uid = Number(fields[2]);
    const gid = Number(fields[3]);
    if (Number.isInteger(uid) && Number.isInteger(gid) && !users.has(fields[0] as string)) {
      users.set(fields[0] as string, { uid, gid });
    }
  }
  const groups = new Map<string, number>();
  for (const line of group.split("\n")) {
    const fields = line.trim().split(":");
    if (fields.length < 3 || fields[0] === "" || line.trim().startsWith("#")) continue;
    const gid = Number(fields[2]);
    if (Number.isInteger(gid) && !groups.has(fields[0] as string)) groups.set(fields[0] as string, gid);
  }
  return { users, groups };
}

/** True when the name needs the image's account database (it is not a number). */
export function needsLookup(name: string | null): boolean {
  return name !== null && !/^\d+$/.test(name);
}

/**
 * Resolves `owner` and `group` (names or numbers) against the image's accounts. An owner without
 * a group keeps the caller's default group, as `chown owner` does. Throws a message naming what is
 * missing.
 */
export function resolveOwnership(owner: string | null, group: string | null, accounts: AccountDatabase): Ownership {
  const result: Ownership = { uid: null, gid: null };
  if (owner !== null) {
    if (/^\d+$/.test(owner)) result.uid = Number(owner);
    else {
      const user = accounts.users.get(owner);
      if (!user) throw new OwnershipError(`user "${owner}" does not exist in /etc/passwd of the image`);
      result.uid = user.uid;
    }
  }
  if (group !== null) {
    if (/^\d+$/.test(group)) result.gid = Number(group);
    else {
      const gid = accounts.groups.get(group);
      if (gid === undefined) throw new OwnershipError(`group "${group}" does not exist in /etc/group of the image`);
      result.gid = gid;
    }
  }
  return result;
}

/** An owner or group that the image does not know. */
export class OwnershipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OwnershipError";
  }
}
