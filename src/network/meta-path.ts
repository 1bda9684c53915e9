// Meta-path schemes as users write them: type names (`author-paper-conf-paper-author`) or
// abbreviations (`A-P-C-P-A`, or `A-P-V-P-A` with V declared as conf).
import type { NetworkSchema } from './heterogeneous-network.ts';

/** A scheme the user wrote that cannot be walked on this network; the message says why and what exists. */
export class MetaPathError extends Error {
  override name = 'MetaPathError';
  constructor(
    readonly scheme: string,
    problem: string,
  ) {
    super(`meta-path "${scheme}": ${problem}`);
  }
}

export interface MetaPath {
  /** as the user wrote it */
  text: string;
  /** type names V_1 .. V_l, V_l === V_1 */
  types: string[];
  /** for step t (V_t -> V_t+1): the relation types that connect the two types, in either direction */
  relations: string[][];
}

function describeTypes(schema: NetworkSchema): string {
  return schema.types.map((t) => `${t.name} (${t.name[0].toUpperCase()})`).join(', ');
}

/**
 * The type a token of a scheme names: the type of that name (any case), else a declared
 * abbreviation, else the one type whose name starts with this one-letter token; a word such as
 * `movie` also names a one-letter type `m` (HeCo layouts name their types m, a, d, k).
 */
function resolveType(
  token: string,
  scheme: string,
  schema: NetworkSchema,
  abbreviations: Readonly<Record<string, string>>,
): string {
  const lower = token.toLowerCase();
  const exact = schema.types.find((t) => t.name.toLowerCase() === lower);
  if (exact) return exact.name;
  const declaredKey = Object.keys(abbreviations).find((k) => k.toLowerCase() === lower);
  if (declaredKey !== undefined) {
    const declared = abbreviations[declaredKey];
    const target = schema.types.find((t) => t.name.toLowerCase() === declared.toLowerCase());
    if (!target) {
      throw new MetaPathError(
        scheme,
        `abbreviation ${declaredKey}=${declared} names no type; known types: ${describeTypes(schema)}`,
      );
    }
    return target.name;
  }
  const initial = lower[0];
  const byInitial = schema.types.filter(
    (t) => t.name[0].toLowerCase() === initial && (lower.length === 1 || t.name.length === 1),
  );
  if (byInitial.length === 1) return byInitial[0].name;
  if (byInitial.length > 1) {
    throw new MetaPathError(
      scheme,
      `"${token}" could be ${byInitial.map((t) => t.name).join(' or ')}; write the type name or declare ${token}=<type>`,
    );
  }
  throw new MetaPathError(
    scheme,
    `unknown type "${token}"; known types: ${describeTypes(schema)}${lower.length === 1 ? `; or declare ${token}=<type>` : ''}`,
  );
}

/** Parses and checks one scheme against the network's types and relation types. */
export function parseMetaPath(
  text: string,
  schema: NetworkSchema,
  abbreviations: Readonly<Record<string, string>> = {},
): MetaPath {
  const tokens = text.split('-').map((t) => t.trim());
  if (tokens.some((t) => t === '')) {
    throw new MetaPathError(text, 'expected type names separated by "-", such as author-paper-author');
  }
  if (tokens.length < 2) {
    throw new MetaPathError(text, 'a scheme needs at least two types, such as author-paper-author');
  }
  const types = tokens.map((token) => resolveType(token, text, schema, abbreviations));
  if (types[0] !== types.at(-1)) {
    throw new MetaPathError(
      text,
      `starts on ${types[0]} but ends on ${types.at(-1)}; walks repeat the scheme, so it must start and end on the same type (e.g. ${[...types, ...types.slice(0, -1).reverse()].join('-')})`,
    );
  }
  for (const name of new Set(types)) {
    const count = schema.types.find((t) => t.name === name)!.count;
    if (count === 0) throw new MetaPathError(text, `type ${name} has no nodes in this dataset`);
  }
  const relations = types.slice(0, -1).map((from, t) => {
    const to = types[t + 1];
    const joining = schema.relations.filter(
      (r) => (r.sourceType === from && r.targetType === to) || (r.sourceType === to && r.targetType === from),
    );
    const used = joining.filter((r) => r.count > 0);
    if (used.length === 0) {
      const known = schema.relations.map((r) => `${r.name} (${r.sourceType}-${r.targetType})`).join(', ');
      throw new MetaPathError(
        text,
        joining.length > 0
          ? `no ${from}-${to} relations: relation type ${joining.map((r) => r.name).join(', ')} is empty`
          : `no relation type joins ${from} and ${to}; relation types: ${known || 'none'}`,
      );
    }
    return used.map((r) => r.name);
  });
  return { text, types, relations };
}

/** `V=conf` pairs (from --abbrev flags or an API list) as a map; a malformed pair is an error. */
export function parseAbbreviations(pairs: readonly string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const pair of pairs) {
    const match = /^\s*([^=\s-]+)\s*=\s*([^=\s]+)\s*$/.exec(pair);
    if (!match) throw new MetaPathError(pair, 'expected an abbreviation as LETTER=type, such as V=conf');
    map[match[1]] = match[2];
  }
  return map;
}
