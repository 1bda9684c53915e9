import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NetworkSchema } from './heterogeneous-network.ts';
import { MetaPathError, parseAbbreviations, parseMetaPath } from './meta-path.ts';

const academic: NetworkSchema = {
  types: [
    { name: 'author', count: 5 },
    { name: 'paper', count: 6 },
    { name: 'conf', count: 2 },
    { name: 'term', count: 0 },
  ],
  relations: [
    { name: 'paper-author', sourceType: 'paper', targetType: 'author', count: 9 },
    { name: 'paper-conf', sourceType: 'paper', targetType: 'conf', count: 6 },
    { name: 'paper-term', sourceType: 'paper', targetType: 'term', count: 0 },
  ],
};

const fails = (text: string, pattern: RegExp, abbreviations?: Record<string, string>) =>
  assert.throws(
    () => parseMetaPath(text, academic, abbreviations),
    (error: unknown) => error instanceof MetaPathError && pattern.test(error.message),
  );

test('type names, initials and declared abbreviations name the same scheme', () => {
  const full = parseMetaPath('author-paper-conf-paper-author', academic);
  assert.deepEqual(full.types, ['author', 'paper', 'conf', 'paper', 'author']);
  assert.deepEqual(full.relations, [['paper-author'], ['paper-conf'], ['paper-conf'], ['paper-author']]);
  assert.deepEqual(parseMetaPath('A-P-C-P-A', academic).types, full.types);
  assert.deepEqual(parseMetaPath('a - p - c - p - a', academic).types, full.types);
  assert.deepEqual(parseMetaPath('A-P-V-P-A', academic, { V: 'conf' }).types, full.types);
  assert.deepEqual(parseAbbreviations(['V=conf', ' X = paper ']), { V: 'conf', X: 'paper' });
});

test('a word names a one-letter type (HeCo layouts: m, a, d, k)', () => {
  const heco: NetworkSchema = {
    types: [
      { name: 'm', count: 3 },
      { name: 'a', count: 2 },
    ],
    relations: [{ name: 'm-a', sourceType: 'm', targetType: 'a', count: 4 }],
  };
  assert.deepEqual(parseMetaPath('movie-actor-movie', heco).types, ['m', 'a', 'm']);
});

test('bad schemes are refused with what exists', () => {
  fails(
    'author-venue-author',
    /unknown type "venue"; known types: author \(A\), paper \(P\), conf \(C\), term \(T\)/,
  );
  fails('A-P-V-P-A', /unknown type "V".*declare V=<type>/);
  fails('A-P-V-P-A', /abbreviation V=venue names no type/, { V: 'venue' });
  fails('author-conf-author', /no relation type joins author and conf; relation types: paper-author/);
  fails('author-paper-conf', /starts on author but ends on conf.*author-paper-conf-paper-author/);
  fails('author', /at least two types/);
  fails('author--paper-author', /separated by "-"/);
  fails('paper-term-paper', /type term has no nodes/);
  assert.throws(() => parseAbbreviations(['V']), MetaPathError);
});

test('an empty relation type does not join its types', () => {
  const schema: NetworkSchema = {
    ...academic,
    types: academic.types.map((t) => ({ ...t, count: Math.max(1, t.count) })),
  };
  assert.throws(
    () => parseMetaPath('paper-term-paper', schema),
    /no paper-term relations: relation type paper-term is empty/,
  );
});
