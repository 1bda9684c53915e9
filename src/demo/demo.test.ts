import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openWorkspace } from '../workspace/workspace.ts';
import { generateAcademicNetwork } from './academic-network.ts';
import { buildDemo } from './build-demo.ts';
import { type DemoSpec, readDemoSpec } from './spec.ts';
import { generateWatchLog } from './watch-log.ts';

const spec = readDemoSpec();

/** The shipped demo, shrunk so a test can build it twice in a few seconds. */
const small: DemoSpec = {
  ...spec,
  academicNetwork: {
    ...spec.academicNetwork,
    authorsPerArea: 40,
    papersPerArea: 60,
    termsPerArea: 30,
    sharedTerms: 10,
  },
  interactionLog: { ...spec.interactionLog, users: 60 },
  digits: { ...spec.digits, imagesPerClass: 3 },
  motion: { ...spec.motion, clipsPerDirection: 2 },
};

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'constellation-demo-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Everything a user would see of a workspace: stats and the first rows of every table. */
function snapshot(path: string) {
  const workspace = openWorkspace(path, { readonly: true });
  try {
    return workspace.datasets.list().map((d) => ({
      name: d.name,
      kind: d.kind,
      source: d.source,
      stats: d.stats,
      entities: workspace.entities
        .types(d.id)
        .map((type) => workspace.entities.page(type.id, 0).rows.slice(0, 5)),
      relations: workspace.entities.relationTypes(d.id).map((type) => {
        const { source, target, time } = workspace.relations.arrays(type.id);
        return [
          type.name,
          [...source.slice(0, 5)],
          [...target.slice(0, 5)],
          time ? [...time.slice(0, 5)] : null,
        ];
      }),
    }));
  } finally {
    workspace.close();
  }
}

test('two builds from one seed give the same workspace; another seed a different one', async (t) => {
  const dir = tempDir(t);
  const progress: string[] = [];
  const first = await buildDemo({
    out: join(dir, 'a.constellation'),
    spec: small,
    progress: (p) => progress.push(p.step),
  });
  const second = await buildDemo({ out: join(dir, 'b.constellation'), spec: small });
  assert.deepEqual(
    first.datasets.map((d) => [d.dataset, d.kind, d.entities, d.relations, d.media]),
    [
      ['academic network', 'network', 4 * (40 + 60 + 5 + 30) + 10, first.datasets[0].relations, 0],
      ['watch log', 'interactions', first.datasets[1].entities, first.datasets[1].relations, 0],
      ['digits', 'images', 30, 0, 30],
      ['moving digits', 'videos', 8, 0, 8],
    ],
  );
  assert.deepEqual(snapshot(second.workspace), snapshot(first.workspace));
  assert.deepEqual(progress.slice(0, 2), ['generating academic network', 'importing academic network']);
  // the generated files were temporary: the datasets say what made them instead
  const recorded = openWorkspace(first.workspace, { readonly: true });
  const sources = recorded.datasets.list().map((d) => d.source);
  recorded.close();
  assert.deepEqual(
    sources.map((source) => [source.format, source.paths, source.generated]),
    ['dblp-four-area', 'csv', 'folder', 'frames'].map((format) => [
      format,
      [],
      { by: 'constellation demo', seed: spec.seed },
    ]),
  );

  const reseeded = await buildDemo({ out: join(dir, 'c.constellation'), spec: small, seed: spec.seed + 1 });
  assert.notDeepEqual(snapshot(reseeded.workspace), snapshot(first.workspace));

  // A second build into an existing demo keeps it; a file with other data is never replaced.
  const kept = await buildDemo({ out: first.workspace, spec: small });
  assert.equal(kept.built, false);
  await assert.rejects(
    buildDemo({
      out: join(dir, 'a.constellation'),
      spec: { ...small, digits: { ...small.digits, name: 'other' } },
    }),
    /is not a demo workspace/,
  );
});

test('the academic network has its research areas planted', () => {
  const network = generateAcademicNetwork(spec.academicNetwork, spec.seed);
  const areaOfAuthor = new Map(network.authors.map((a) => [a.id, a.area]));
  const areaOfVenue = new Map(network.venues.map((v) => [v.id, v.area]));
  let sameVenue = 0;
  let authorships = 0;
  for (const paper of network.papers) {
    for (const author of paper.authors) {
      authorships++;
      if (areaOfVenue.get(paper.venue) === areaOfAuthor.get(author)) sameVenue++;
    }
  }
  // authors of an area publish mostly in that area's venues; four areas would give 25% by chance
  assert.ok(sameVenue / authorships > 0.65, `in-area venue share ${sameVenue / authorships}`);
  const published = new Set(network.papers.flatMap((p) => p.authors));
  assert.equal(published.size, network.authors.length, 'every author has a paper');
  assert.ok(network.authors.length >= 2000 && network.papers.length >= 2000);
});

test('the watch log mostly continues the series a user is watching', () => {
  const log = generateWatchLog(spec.interactionLog, spec.seed);
  const episode = new Map(log.items.map((i) => [i.id, i]));
  const byUser = new Map<number, number[]>();
  for (const { user, item } of log.interactions) byUser.set(user, [...(byUser.get(user) ?? []), item]);
  let nextEpisode = 0;
  let transitions = 0;
  for (const items of byUser.values()) {
    for (let i = 1; i < items.length; i++) {
      const a = episode.get(items[i - 1])!;
      const b = episode.get(items[i])!;
      transitions++;
      if (a.genre === b.genre && a.series === b.series && b.part === a.part + 1) nextEpisode++;
    }
  }
  // the next item is predictable from the previous one far above chance (1 in ~500 items)
  assert.ok(nextEpisode / transitions > 0.4, `next-episode share ${nextEpisode / transitions}`);
  for (let i = 1; i < log.interactions.length; i++)
    assert.ok(log.interactions[i].time >= log.interactions[i - 1].time);
});
