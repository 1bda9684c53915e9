// The network view's commands through the dispatcher on a real workspace: a small academic network
// with a hub venue, searched, grown from an author, expanded past the hub's cap, sampled, described
// and exported as GEXF that the gexf importer reads back.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runImport } from '../../ingest/registry.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import type { CommandInput, CommandName, CommandOutput } from '../commands.ts';
import { dispatch } from '../dispatcher.ts';
import { ApiError } from '../schema/errors.ts';
import type { NetworkEdge, NetworkNode } from '../schema/network.ts';

const dir = mkdtempSync(join(tmpdir(), 'network-api-'));
const workspace = join(dir, 'w.constellation');
const authors = ['Ada Lovelace', 'Alan Turing', 'Grace Hopper', 'Edsger Dijkstra'];
/** author index -> papers written */
const writes: number[][] = [[0, 1, 2], [0, 3], [4, 5, 6, 7], [8]];
/** papers 0..24 appear at the hub v0, 25..29 at v1 */
const venueOf = (p: number) => (p < 25 ? 0 : 1);
const cites: [number, number][] = [
  [1, 0],
  [2, 0],
  [26, 25],
];

before(() => {
  const ws = openWorkspace(workspace);
  const session = ws.beginImport({
    name: 'academic',
    kind: 'network',
    source: { format: 'test', paths: [] },
  });
  session.addEntities(
    'author',
    authors.map((name, i) => ({ key: `a${i}`, label: name, classLabel: i < 2 ? 'theory' : 'systems' })),
  );
  session.addEntities(
    'paper',
    Array.from({ length: 30 }, (_, p) => ({ key: `p${p}`, label: `paper on graphs ${p}` })),
  );
  session.addEntities('venue', [
    { key: 'v0', label: 'Hub Conference', attributes: { founded: 1990, rank: 'A' } },
    { key: 'v1', label: 'Small Workshop' },
  ]);
  session.relationType('writes', 'author', 'paper');
  session.relationType('published_in', 'paper', 'venue');
  session.relationType('cites', 'paper', 'paper');
  const pairs = writes.flatMap((papers, a) => papers.map((p) => [a, p]));
  session.addRelations(
    'writes',
    pairs.map(([a]) => a),
    pairs.map(([, p]) => p),
  );
  session.addRelations(
    'published_in',
    Array.from({ length: 30 }, (_, p) => p),
    Array.from({ length: 30 }, (_, p) => venueOf(p)),
  );
  session.addRelations(
    'cites',
    cites.map(([s]) => s),
    cites.map(([, t]) => t),
  );
  session.commit();
  ws.close();
});

after(() => rmSync(dir, { recursive: true, force: true }));

const call = <N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>> =>
  dispatch(name, input, { workspace });

/** Every relation of the fixture as "relation source-key target-key". */
function allRelations(): string[] {
  return [
    ...writes.flatMap((papers, a) => papers.map((p) => `writes a${a} p${p}`)),
    ...Array.from({ length: 30 }, (_, p) => `published_in p${p} v${venueOf(p)}`),
    ...cites.map(([s, t]) => `cites p${s} p${t}`),
  ];
}

/** The relations of the fixture among a set of keys. */
function relationsAmong(keys: ReadonlySet<string>): string[] {
  return allRelations()
    .filter((r) => {
      const [, s, t] = r.split(' ');
      return keys.has(s) && keys.has(t);
    })
    .sort();
}

function named(nodes: readonly NetworkNode[], edges: readonly NetworkEdge[]): string[] {
  const key = new Map(nodes.map((n) => [n.id, n.key]));
  return edges.map((e) => `${e.relation} ${key.get(e.source)} ${key.get(e.target)}`).sort();
}

async function idOf(key: string): Promise<number> {
  const { matches } = await call('entities.search', { dataset: 'academic', query: key, limit: 1 });
  assert.equal(matches[0].key, key);
  return matches[0].id;
}

test('search finds entities by label or key: exact key first, then prefixes, then the rest', async () => {
  const turing = await call('entities.search', { dataset: 'academic', query: 'TURING' });
  assert.deepEqual(
    turing.matches.map((m) => [m.key, m.type, m.label, m.class, m.degree]),
    [['a1', 'author', 'Alan Turing', 'theory', 2]],
  );
  const p1 = await call('entities.search', { dataset: 'academic', query: 'p1', limit: 4 });
  assert.deepEqual(
    p1.matches.map((m) => m.key),
    ['p1', 'p10', 'p11', 'p12'],
  );
  const graphs = await call('entities.search', { dataset: 'academic', query: 'on graphs 2', type: 'paper' });
  assert.equal(graphs.matches.length, 10);
  assert.ok(graphs.matches.every((m) => m.type === 'paper' && m.label!.includes('on graphs 2')));
  const none = await call('entities.search', { dataset: 'academic', query: 'turing', type: 'venue' });
  assert.deepEqual(none.matches, []);
});

test('an ego network: the centre, its neighbours and every relation among them', async () => {
  const ada = await idOf('a0');
  const ego = await call('network.ego', { dataset: 'academic', node: ada });
  assert.deepEqual(
    ego.nodes.map((n) => n.key),
    ['a0', 'p0', 'p1', 'p2'],
  );
  assert.equal(ego.nodes[0].id, ada);
  assert.equal(ego.neighbours, 3);
  assert.equal(ego.hidden, 0);
  assert.deepEqual(named(ego.nodes, ego.edges), relationsAmong(new Set(['a0', 'p0', 'p1', 'p2'])));
  // p0: two authors, its venue, two citing papers
  assert.deepEqual(
    ego.nodes.map((n) => n.degree),
    [3, 5, 3, 3],
  );
});

test('expanding a hub adds at most the limit, says how many stay hidden, links new nodes to the view', async () => {
  const first = await call('network.ego', { dataset: 'academic', node: await idOf('a0') });
  const hub = await idOf('v0');
  const shown = first.nodes.map((n) => n.id);
  const grown = await call('network.ego', { dataset: 'academic', node: hub, shown, limit: 10, seed: 3 });
  assert.equal(grown.nodes[0].key, 'v0');
  assert.equal(grown.nodes.length, 11);
  assert.equal(grown.neighbours, 25);
  // p0, p1 and p2 were shown already: 25 - 3 - 10
  assert.equal(grown.hidden, 12);
  assert.ok(grown.nodes.slice(1).every((n) => n.type === 'paper' && Number(n.key.slice(1)) < 25));
  assert.ok(!grown.nodes.some((n) => shown.includes(n.id)));
  const all = [...first.nodes, ...grown.nodes];
  const keys = new Set(all.map((n) => n.key));
  // every relation the view now holds, once: the first answer's and the expansion's together
  assert.deepEqual(named(all, [...first.edges, ...grown.edges]), relationsAmong(keys));
  const again = await call('network.ego', { dataset: 'academic', node: hub, shown, limit: 10, seed: 3 });
  assert.deepEqual(again, grown);
  const expandedAgain = await call('network.ego', {
    dataset: 'academic',
    node: hub,
    shown: all.map((n) => n.id),
    limit: 100,
  });
  assert.equal(expandedAgain.nodes.length, 12);
  assert.equal(expandedAgain.hidden, 0);
});

test('a sample holds the requested number of nodes and every relation among them, the same for a seed', async () => {
  const sample = await call('network.sample', { dataset: 'academic', nodes: 15, seed: 1 });
  assert.equal(sample.nodes.length, 15);
  assert.equal(new Set(sample.nodes.map((n) => n.id)).size, 15);
  assert.equal(sample.total_nodes, 4 + 30 + 2);
  assert.equal(sample.total_edges, allRelations().length);
  assert.deepEqual(
    named(sample.nodes, sample.edges),
    relationsAmong(new Set(sample.nodes.map((n) => n.key))),
  );
  // a snowball: the sample is mostly connected, not scattered isolated nodes
  assert.ok(sample.edges.length >= 10, `${sample.edges.length} edges`);
  assert.deepEqual(await call('network.sample', { dataset: 'academic', nodes: 15, seed: 1 }), sample);
  const whole = await call('network.sample', { dataset: 'academic', nodes: 1000 });
  assert.equal(whole.nodes.length, 36);
  assert.equal(whole.edges.length, allRelations().length);
});

test("a node's details: attributes and its degree per relation type and direction", async () => {
  const hub = await call('network.node', { dataset: 'academic', node: await idOf('v0') });
  assert.equal(hub.label, 'Hub Conference');
  assert.deepEqual(hub.attributes, { founded: 1990, rank: 'A' });
  assert.equal(hub.degree, 25);
  assert.deepEqual(hub.relations, [{ relation: 'published_in', direction: 'in', other: 'paper', count: 25 }]);
  const paper = await call('network.node', { dataset: 'academic', node: await idOf('p0') });
  assert.deepEqual(paper.relations.map((r) => `${r.relation} ${r.direction} ${r.other} ${r.count}`).sort(), [
    'cites in paper 2',
    'published_in out venue 1',
    'writes in author 2',
  ]);
});

test('the shown network as GEXF: the gexf importer reads back its nodes and relations', async () => {
  const ego = await call('network.ego', { dataset: 'academic', node: await idOf('a0') });
  const hub = await call('network.ego', {
    dataset: 'academic',
    node: await idOf('v0'),
    shown: ego.nodes.map((n) => n.id),
    limit: 5,
  });
  const nodes = [...ego.nodes, ...hub.nodes];
  const exported = await call('network.export', { dataset: 'academic', nodes: nodes.map((n) => n.id) });
  assert.equal(exported.nodes, nodes.length);
  assert.equal(exported.edges, ego.edges.length + hub.edges.length);
  const file = join(dir, 'shown.gexf');
  writeFileSync(file, exported.gexf);
  const ws = openWorkspace(workspace);
  try {
    const back = await runImport(ws, { kind: 'network', paths: [file], name: 'shown' });
    const count = (type: string) => nodes.filter((n) => n.type === type).length;
    assert.deepEqual(back.stats.entities, { author: count('author'), paper: count('paper'), venue: 1 });
    const relations = relationsAmong(new Set(nodes.map((n) => n.key)));
    const per = (name: string) => relations.filter((r) => r.startsWith(`${name} `)).length;
    assert.deepEqual(back.stats.relations, {
      writes: per('writes'),
      published_in: per('published_in'),
      cites: per('cites'),
    });
    const venue = ws.entities.byKey(ws.entities.type(back.id, 'venue')!.id, 'v0')!;
    assert.equal(venue.label, 'Hub Conference');
  } finally {
    ws.close();
  }
});

test('unknown datasets and node ids are refused with what there is', async () => {
  await assert.rejects(call('network.sample', { dataset: 'nope' }), (e: ApiError) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 'refused');
    assert.match(e.message, /no dataset named "nope".*academic/);
    return true;
  });
  await assert.rejects(call('network.node', { dataset: 'academic', node: 36 }), (e: ApiError) => {
    assert.equal(e.code, 'not-found');
    assert.match(e.message, /no node 36 \(its nodes are 0\.\.35\)/);
    return true;
  });
});
