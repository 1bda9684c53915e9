import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { openWorkspace, type Workspace } from '../workspace/index.ts';
import type { DatasetKind } from '../workspace/types.ts';
import { writeGexf } from './network/gexf-writer.ts';
import { detectFormat, runImport } from './registry.ts';
import { ImportCancelled, InputError } from './types.ts';

const dir = mkdtempSync(join(tmpdir(), 'ingest-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;

function fixture(name: string, content: string | Buffer): string {
  const path = join(dir, `${counter++}-${name}`);
  mkdirSync(path);
  const file = join(path, name);
  writeFileSync(file, content);
  return file;
}

function folder(files: Record<string, string>): string {
  const path = join(dir, `folder-${counter++}`);
  mkdirSync(path);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(path, name), content);
  return path;
}

function workspace(): Workspace {
  return openWorkspace(join(dir, `ws-${counter++}.constellation`));
}

/** The whole visible state a failed import must leave alone. */
function snapshot(ws: Workspace) {
  return JSON.stringify(
    ws.datasets.list().map((d) => ({
      d,
      types: ws.entities.types(d.id),
      relations: ws.entities.relationTypes(d.id),
    })),
  );
}

/**
 * Runs a failing import into a workspace that already holds one dataset, checks the error names
 * file, line and field as expected, and that the workspace is exactly as before.
 */
async function rejects(
  kind: DatasetKind,
  paths: string[],
  expected: { file?: RegExp; line?: number | null; field?: string | null; problem: RegExp },
  options: { format?: string; options?: Record<string, unknown> } = {},
) {
  const ws = workspace();
  try {
    await runImport(ws, {
      kind: 'interactions',
      paths: [fixture('ok.csv', 'user,item\n1,2\n')],
      name: 'before',
    });
    const before = snapshot(ws);
    await assert.rejects(runImport(ws, { kind, paths, name: 'bad', ...options }), (error: unknown) => {
      assert.ok(error instanceof InputError, `expected an InputError, got ${error}`);
      if (expected.file) assert.match(error.file, expected.file);
      if (expected.line !== undefined) assert.equal(error.line, expected.line, error.message);
      if (expected.field !== undefined) assert.equal(error.field, expected.field, error.message);
      assert.match(error.problem, expected.problem);
      return true;
    });
    assert.equal(snapshot(ws), before);
    // and the failed name is free: nothing of the import survived
    assert.equal(ws.datasets.byName('bad'), undefined);
  } finally {
    ws.close();
  }
}

test('csv: header mapping, ISO and unix times, ratings; sequences by time, ties in file order', async () => {
  const ws = workspace();
  try {
    const file = fixture(
      'log.csv',
      'user_id,item_id,rating,timestamp\nu1,a,5,300\nu1,b,4,100\nu1,c,3,100\nu2,a,1,2020-01-01T00:00:00Z\n',
    );
    assert.equal((await detectFormat('interactions', [file])).format, 'csv');
    const d = await runImport(ws, { kind: 'interactions', paths: [file], name: 'log' });
    assert.deepEqual(d.stats.entities, { user: 2, item: 3 });
    assert.equal(d.stats.interactions?.interactions, 4);
    const rel = ws.entities.relationType(d.id, 'interacted')!;
    const seq = ws.relations.sequences(rel.id);
    const items = ws.entities.keys(ws.entities.type(d.id, 'item')!.id);
    const u1 = [...seq.items.subarray(seq.offsets[0], seq.offsets[1])].map((i) => items[i]);
    assert.deepEqual(u1, ['b', 'c', 'a']);
    const arrays = ws.relations.arrays(rel.id);
    assert.deepEqual([...arrays.weight!], [5, 4, 3, 1]);
    assert.equal(arrays.time![3], Date.parse('2020-01-01T00:00:00Z') / 1000);
  } finally {
    ws.close();
  }
});

test('csv: headerless TSV, explicit mapping by column number, quoted keys with delimiters and newlines', async () => {
  const ws = workspace();
  try {
    const tsv = fixture('plain.tsv', '10\t7\t1\n11\t8\t2\n');
    const d = await runImport(ws, {
      kind: 'interactions',
      paths: [tsv],
      name: 'tsv',
      options: { user: 2, item: 1 },
    });
    assert.deepEqual(ws.entities.keys(ws.entities.type(d.id, 'user')!.id), ['7', '8']);
    const quoted = fixture('quoted.csv', '\uFEFFuser,item\r\n"Smith, J.","Film\r\nPart 2"\r\nplain,x\r\n');
    const q = await runImport(ws, { kind: 'interactions', paths: [quoted], name: 'quoted' });
    assert.deepEqual(ws.entities.keys(ws.entities.type(q.id, 'user')!.id), ['Smith, J.', 'plain']);
    assert.deepEqual(ws.entities.keys(ws.entities.type(q.id, 'item')!.id), ['Film\nPart 2', 'x']);
  } finally {
    ws.close();
  }
});

test('jsonl, sasrec, movielens u.data with u.item titles, ratings.dat, recbole', async () => {
  const ws = workspace();
  try {
    const jsonl = fixture(
      'log.jsonl',
      '{"userId": 1, "itemId": "x", "ts": 5}\n{"userId": 2, "itemId": "y", "ts": 6}\n',
    );
    assert.equal((await detectFormat('interactions', [jsonl])).format, 'jsonl');
    assert.equal(
      (await runImport(ws, { kind: 'interactions', paths: [jsonl], name: 'j' })).stats.relations.interacted,
      2,
    );

    const sasrec = fixture('Video.txt', '1 5\n1 6\n2 5\n');
    assert.equal((await detectFormat('interactions', [sasrec])).format, 'sasrec');
    const s = await runImport(ws, { kind: 'interactions', paths: [sasrec], name: 's' });
    assert.equal(s.stats.interactions?.hasTime, false);

    const ml100k = folder({
      'u.data': '1\t10\t5\t881250949\n2\t10\t3\t881250950\n',
      'u.item': `10|Toy Story (1995)|01-Jan-1995||http://x|0|0|0|1|1|1${'|0'.repeat(13)}\n`,
    });
    assert.equal((await detectFormat('interactions', [ml100k])).format, 'movielens');
    const m = await runImport(ws, { kind: 'interactions', paths: [ml100k], name: 'm' });
    const toy = ws.entities.byKey(ws.entities.type(m.id, 'item')!.id, '10')!;
    assert.equal(toy.label, 'Toy Story (1995)');
    assert.deepEqual(toy.attributes, { genres: ['Animation', "Children's", 'Comedy'] });

    const ml1m = fixture('ratings.dat', '1::1193::5::978300760\n1::661::3::978302109\n');
    assert.equal(
      (await runImport(ws, { kind: 'interactions', paths: [ml1m], name: 'm1' })).stats.relations.interacted,
      2,
    );

    const recbole = folder({
      'x.inter': 'user_id:token\titem_id:token\trating:float\ttimestamp:float\n1\t9\t4\t10\n',
      'x.item': 'item_id:token\tmovie_title:token_seq\tclass:token_seq\n9\tHeat\tAction Crime\n',
    });
    assert.equal((await detectFormat('interactions', [recbole])).format, 'recbole');
    const r = await runImport(ws, { kind: 'interactions', paths: [recbole], name: 'r' });
    const heat = ws.entities.byKey(ws.entities.type(r.id, 'item')!.id, '9')!;
    assert.equal(heat.label, 'Heat');
    assert.deepEqual(heat.attributes, { class: ['Action', 'Crime'] });
  } finally {
    ws.close();
  }
});

test('edges: node tables with labels, classes and attributes, one file per relation type, and type columns', async () => {
  const ws = workspace();
  try {
    const net = folder({
      'author.csv': 'id,name,class,h_index\na1,Ada,AI,40\na2,Bob,DB,12\n',
      'paper.csv': 'id,title\np1,On Graphs\np2,"Joins, Revisited"\n',
      'author-paper.csv': 'author,paper,weight\na1,p1,1\na2,p2,0.5\na1,p2,2\n',
      'paper_venue.tsv': 'p1\tKDD\np2\tVLDB\n',
    });
    assert.equal((await detectFormat('network', [net])).format, 'edges');
    const d = await runImport(ws, { kind: 'network', paths: [net], name: 'net' });
    assert.deepEqual(d.stats.entities, { author: 2, paper: 2, venue: 2 });
    assert.deepEqual(d.stats.relations, { 'author-paper': 3, 'paper-venue': 2 });
    const ada = ws.entities.byKey(ws.entities.type(d.id, 'author')!.id, 'a1')!;
    assert.deepEqual([ada.label, ada.classLabel, ada.attributes], ['Ada', 'AI', { h_index: 40 }]);
    assert.equal(ws.entities.byKey(ws.entities.type(d.id, 'paper')!.id, 'p2')!.label, 'Joins, Revisited');

    const typed = fixture(
      'graph.csv',
      'source,source_type,target,target_type,relation\nu,user,m,movie,likes\nm,movie,g,genre,in\n',
    );
    const t = await runImport(ws, { kind: 'network', paths: [typed], name: 'typed', format: 'edges' });
    assert.deepEqual(t.stats.relations, { likes: 1, in: 1 });
  } finally {
    ws.close();
  }
});

test('gexf: a network written for Gephi reads back the same; GEXF 1.2 attributes', async () => {
  const ws = workspace();
  try {
    const file = join(dir, `net-${counter++}.gexf`);
    await writeGexf(file, {
      nodeAttributes: ['h_index'],
      nodes: [
        { type: 'author', key: '1', label: 'Ada & Co <x>', classLabel: 'AI', attributes: { h_index: 40 } },
        { type: 'paper', key: '1', label: 'P' },
      ],
      edges: [
        {
          relation: 'writes',
          sourceType: 'author',
          sourceKey: '1',
          targetType: 'paper',
          targetKey: '1',
          weight: 2,
          time: 7,
        },
      ],
    });
    assert.equal((await detectFormat('network', [file])).format, 'gexf');
    const d = await runImport(ws, { kind: 'network', paths: [file], name: 'g' });
    assert.deepEqual(d.stats.entities, { author: 1, paper: 1 });
    assert.deepEqual(d.stats.relations, { writes: 1 });
    const ada = ws.entities.byKey(ws.entities.type(d.id, 'author')!.id, '1')!;
    assert.deepEqual([ada.label, ada.classLabel, ada.attributes], ['Ada & Co <x>', 'AI', { h_index: '40' }]);
    const arrays = ws.relations.arrays(ws.entities.relationType(d.id, 'writes')!.id);
    assert.deepEqual([arrays.weight![0], arrays.time![0]], [2, 7]);

    const gephi = fixture(
      'gephi.gexf',
      `<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2"><graph defaultedgetype="undirected">
<attributes class="node"><attribute id="0" title="type" type="string"/><attribute id="1" title="age" type="integer"/></attributes>
<nodes><node id="n0" label="A"><attvalues><attvalue for="0" value="person"/><attvalue for="1" value="31"/></attvalues></node>
<node id="n1" label="B"/></nodes>
<edges><edge id="0" source="n0" target="n1" weight="1.5"/><edge id="1" source="n1" target="n9"/></edges></graph></gexf>`,
    );
    await rejects('network', [gephi], { line: 6, field: 'edge target', problem: /unknown node "n9"/ });
  } finally {
    ws.close();
  }
});

test('bad input: empty file, header only, wrong delimiter, wrong column count', async () => {
  await rejects('interactions', [fixture('empty.csv', '')], {
    file: /empty\.csv$/,
    problem: /file is empty/,
  });
  await rejects('interactions', [fixture('header.csv', 'user,item,timestamp\n')], {
    line: 2,
    problem: /only a header/,
  });
  await rejects(
    'interactions',
    [fixture('semi.csv', 'user;item\n1;2\n')],
    { line: 1, problem: /found 1 \(wrong delimiter\?\)/ },
    {
      options: { delimiter: ',' },
    },
  );
  await rejects('interactions', [fixture('hash.csv', 'a#b\n1#2\n')], {
    line: 1,
    problem: /found no delimiter/,
  });
  await rejects('interactions', [fixture('cols.csv', 'user,item,timestamp\n1,2,3\n4,5\n')], {
    line: 3,
    problem: /expected 3 fields separated by "," \(as in line 1\), found 2/,
  });
});

test('bad input: non-numeric id or timestamp, invalid UTF-8 (BOM and CRLF are fine, see above)', async () => {
  await rejects(
    'interactions',
    [fixture('ids.txt', '1 2\nx 3\n')],
    { line: 2, field: 'user', problem: /expected an integer id, got "x"/ },
    {
      format: 'sasrec',
    },
  );
  await rejects('interactions', [fixture('time.csv', 'user,item,timestamp\n1,2,3\n1,2,yesterday\n')], {
    line: 3,
    field: 'timestamp',
    problem: /expected a timestamp/,
  });
  const bad = Buffer.concat([
    Buffer.from('\uFEFFuser,item\r\n1,2\r\n'),
    Buffer.from([0x41, 0xc3, 0x28]),
    Buffer.from(',3\r\n'),
  ]);
  await rejects('interactions', [fixture('latin.csv', bad)], { line: 3, problem: /invalid UTF-8/ });
});

test('bad input: duplicate entity keys, relations to unknown entities', async () => {
  await rejects(
    'network',
    [folder({ 'author.csv': 'id,name\na1,Ada\na1,Again\n', 'author-paper.csv': 'a1,p1\n' })],
    {
      file: /author\.csv$/,
      line: 3,
      field: 'id',
      problem: /duplicate author key "a1" \(first at .*author\.csv:2\)/,
    },
  );
  await rejects(
    'network',
    [folder({ 'author.csv': 'id,name\na1,Ada\n', 'author-paper.csv': 'author,paper\na1,p1\na7,p2\n' })],
    { file: /author-paper\.csv$/, line: 3, field: 'author', problem: /unknown author "a7"/ },
  );
});

test('bad input: truncated gzip, a huge line, a missing path, a directory', async () => {
  const rows = Array.from({ length: 30_000 }, (_, i) => `${i % 100},${i % 37},${i}`).join('\n');
  const gz = gzipSync(`user,item,timestamp\n${rows}\n`);
  await rejects(
    'interactions',
    [fixture('cut.csv.gz', gz.subarray(0, gz.length - 64))],
    { problem: /gzip data is truncated/ },
    {
      format: 'csv',
    },
  );

  // a 1 GiB file holding one line: sparse on disk, and the reader stops at the 1 MiB cap
  const huge = fixture('huge.csv', 'user,item,timestamp\n');
  const fd = openSync(huge, 'r+');
  ftruncateSync(fd, 1 << 30);
  writeSync(fd, '\n', (1 << 30) - 1);
  closeSync(fd);
  await rejects('interactions', [huge], { line: 2, problem: /line is longer than 1 MiB/ });

  await rejects('interactions', [join(dir, 'missing.csv')], {
    file: /missing\.csv$/,
    problem: /no such file/,
  });
  await rejects(
    'interactions',
    [dir],
    { file: new RegExp(`${dir}$`), problem: /is a directory/ },
    { format: 'csv' },
  );
  await rejects('interactions', [fixture('x.bin', '1 2')], {
    problem: /cannot tell the interactions format/,
  });
});

test('cancel mid-import, and a second process reading during an import sees the old state', async () => {
  const rows = Array.from({ length: 120_000 }, (_, i) => `${i % 1000},${i % 300},${i}`).join('\n');
  const file = fixture('big.csv', `user,item,timestamp\n${rows}\n`);
  const ws = workspace();
  try {
    await runImport(ws, {
      kind: 'interactions',
      paths: [fixture('ok.csv', 'user,item\n1,2\n')],
      name: 'before',
    });
    const before = snapshot(ws);
    const controller = new AbortController();
    let events = 0;
    await assert.rejects(
      runImport(ws, {
        kind: 'interactions',
        paths: [file],
        name: 'cancelled',
        signal: controller.signal,
        progress: (p) => {
          events++;
          assert.ok(p.rows >= 50_000 && p.bytes > 0 && p.totalBytes > 0);
          controller.abort();
        },
      }),
      ImportCancelled,
    );
    assert.equal(events, 1);
    assert.equal(snapshot(ws), before);

    // the reader runs while the import's transaction is open (inside its first progress event)
    const reader = `import { openWorkspace } from ${JSON.stringify(join(import.meta.dirname, '../workspace/index.ts'))};
      const w = openWorkspace(process.argv[1], { readonly: true });
      console.log(JSON.stringify(w.datasets.list().map((d) => d.name))); w.close();`;
    let seen = '';
    const d = await runImport(ws, {
      kind: 'interactions',
      paths: [file],
      name: 'after',
      progress: () => {
        if (seen) return;
        const child = spawnSync(
          process.execPath,
          ['--import', 'tsx', '--input-type=module', '-e', reader, ws.path],
          {
            encoding: 'utf8',
          },
        );
        seen = child.stdout.trim() || child.stderr;
      },
    });
    assert.equal(seen, '["before"]');
    assert.equal(d.stats.relations.interacted, 120_000);
  } finally {
    ws.close();
  }
});
