// Turns a configured collection (`usda-cdl` or `account/container`) into request path and file names.
export interface CollectionSpec {
  /** As configured; also the key of status entries. */
  id: string;
  account: string | null;
  container: string | null;
  /** Path under `{apiBase}/token/`. */
  requestPath: string;
  /** File name without extension: the id, or `account__container` (Azure names never contain `_`). */
  fileStem: string;
}

/**
 * Storage of collections whose account/container we know without asking the STAC API. The SAS API maps a
 * collection id to `msft:storage_account`/`msft:container` of its STAC collection server-side; learning them
 * here would take a second request to another API, so other plain ids get null (jobs that need the account
 * for /vsiaz/ should configure `account/container` instead).
 */
const KNOWN_STORAGE: Readonly<Record<string, readonly [string, string]>> = {
  'usda-cdl': ['landcoverdata', 'usda-cdl'],
};

const NAME = /^[A-Za-z0-9._-]+$/;

/** Parses one `tokens.collections` entry; throws an Error naming the entry when it cannot be used. */
export function parseCollection(id: string): CollectionSpec {
  const parts = id.split('/');
  if (parts.length > 2 || parts.some((p) => !NAME.test(p))) {
    throw new Error(`"${id}" is not a collection id or "account/container" (letters, digits, ".", "_", "-")`);
  }
  // "." and ".." would be path segments to fetch's URL parser and to the file system.
  if (parts.some((p) => /^\.+$/.test(p))) throw new Error(`"${id}" is not a usable name: only dots`);
  if (parts.length === 2) {
    const [account, container] = parts as [string, string];
    return {
      id,
      account,
      container,
      requestPath: `${account}/${container}`,
      fileStem: `${account}__${container}`,
    };
  }
  const known = KNOWN_STORAGE[id];
  return {
    id,
    account: known?.[0] ?? null,
    container: known?.[1] ?? null,
    requestPath: id,
    fileStem: id,
  };
}

/** Problems with the list as a whole (for `emb-agent check`): bad entries, two entries sharing a file. */
export function collectionProblems(ids: readonly string[]): string[] {
  const problems: string[] = [];
  const byStem = new Map<string, string>();
  ids.forEach((id, i) => {
    let spec: CollectionSpec;
    try {
      spec = parseCollection(id);
    } catch (err) {
      problems.push(`tokens.collections.${i}: ${(err as Error).message}`);
      return;
    }
    const other = byStem.get(spec.fileStem);
    if (other !== undefined) {
      problems.push(
        other === id
          ? `tokens.collections.${i}: "${id}" is listed twice`
          : `tokens.collections.${i}: "${id}" and "${other}" would share the file ${spec.fileStem}.json`,
      );
    } else byStem.set(spec.fileStem, id);
  });
  return problems;
}
