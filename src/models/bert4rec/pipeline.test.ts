import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ZodError } from 'zod';
import { Trainer } from '../../onnx/runtime/trainer.ts';
import { maxAbsDiff } from '../../onnx/testing/compare.ts';
import type { InteractionSequences } from '../../workspace/types.ts';
import {
  batchesPerEpoch,
  epochInstances,
  evaluationIds,
  stepShapes,
  trainingBatches,
  trainingWindows,
} from './batches.ts';
import { Bert4RecConfig, resolveConfig } from './config.ts';
import { trainProgram } from './model.ts';
import { history, kCoreFilter, splitLeaveOneOut, target, trainingPopularity } from './sequences.ts';

/** Sequences from lists of workspace item indices, one list per user. */
function log(users: number[][]): InteractionSequences {
  const offsets = [0];
  for (const u of users) offsets.push(offsets[offsets.length - 1] + u.length);
  return {
    users: Int32Array.from(users.keys()),
    offsets: Int32Array.from(offsets),
    items: Int32Array.from(users.flat()),
    times: new Float64Array(offsets[offsets.length - 1]).fill(Number.NaN),
  };
}

/** The split of `users` and, under the quick preset with `settings`, one epoch's windows, instances and steps. */
function epochOf(users: number[][], items: number, epoch: number, settings: Record<string, unknown>) {
  const split = splitLeaveOneOut(log(users), items, { hasTime: true, source: 't' });
  const config = resolveConfig('quick', settings);
  const windows = trainingWindows(split, config);
  const instances = epochInstances(windows, config, epoch);
  return { split, config, windows, instances, shapes: stepShapes(windows, instances, config, 0) };
}

test('leave-one-out: last item test, the one before validation; users with < 3 interactions counted and only trained on', () => {
  const split = splitLeaveOneOut(
    log([
      [0, 1, 2, 3],
      [4, 5],
      [1, 2, 4],
    ]),
    6,
    { hasTime: false, source: 't' },
  );
  // items renumbered 1..n in workspace index order
  assert.equal(split.items, 6);
  assert.equal(split.stats.evaluated_users, 2);
  assert.equal(split.stats.excluded_users, 1);
  assert.equal(split.stats.order, 'file');
  assert.deepEqual([...history(split, 0, 'train')], [1, 2]);
  assert.equal(target(split, 0, 'validation'), 3);
  assert.equal(target(split, 0, 'test'), 4);
  assert.deepEqual([...history(split, 0, 'test')], [1, 2, 3]);
  assert.deepEqual([...history(split, 1, 'train')], [5, 6], 'a short user trains on everything');
  assert.equal(split.evaluated[1], 0);
});

test('bad logs are clear errors: nobody with 3 interactions, a catalogue of one item', () => {
  assert.throws(
    () => splitLeaveOneOut(log([[0, 1], [1]]), 2, { hasTime: true, source: 'dataset x' }),
    /dataset x.*no user has 3 or more interactions/,
  );
  assert.throws(
    () => splitLeaveOneOut(log([[0, 0, 0]]), 1, { hasTime: true, source: 'dataset y' }),
    /catalogue has 1 item/,
  );
});

test('k-core filtering repeats until every user and item has k interactions', () => {
  // item 9 occurs once; removing it leaves user 3 with 2 interactions, which then goes too
  const users = [
    [0, 1, 2],
    [0, 1, 2],
    [0, 1, 2],
    [0, 1, 9],
  ];
  const filtered = kCoreFilter(log(users), 10, 3);
  assert.deepEqual([...filtered.users], [0, 1, 2]);
  const split = splitLeaveOneOut(log(users), 10, { kCore: 3, hasTime: true, source: 't' });
  assert.equal(split.stats.removed_users, 1);
  assert.equal(split.stats.removed_items, 1);
  assert.equal(split.stats.removed_interactions, 3);
});

test('settings: one schema checks N, p, heads', () => {
  const bad = (overrides: Record<string, unknown>, field: string) =>
    assert.throws(
      () => resolveConfig('quick', overrides),
      (e: unknown) => e instanceof ZodError && e.issues.some((i) => i.path[0] === field),
    );
  bad({ max_len: 1 }, 'max_len');
  bad({ mask_prob: 0 }, 'mask_prob');
  bad({ mask_prob: 1.5 }, 'mask_prob');
  bad({ heads: 3 }, 'heads');
  bad({ no_such: 1 }, 'no_such');
  assert.equal(resolveConfig('paper-amazon').mask_prob, 0.6);
  assert.equal(resolveConfig('paper-ml', { mask_prob: 1 }).mask_prob, 1);
  bad({ train_on_validation: 'yes' }, 'train_on_validation');
  // a run stored before train_on_validation existed reads back as trained without it
  const { train_on_validation: _, ...stored } = resolveConfig('quick');
  assert.equal(Bert4RecConfig.parse(stored).train_on_validation, false);
});

test('train_on_validation: windows and popularity take in the validation item, never the test item', () => {
  // user 0: training part 1 2 3, validation 4, test 5; user 1 (2 interactions) trains on both
  const split = splitLeaveOneOut(
    log([
      [0, 1, 2, 3, 4],
      [5, 6],
    ]),
    7,
    { hasTime: true, source: 't' },
  );
  const windowsOf = (on: boolean) =>
    trainingWindows(
      split,
      resolveConfig('quick', { max_len: 3, max_predictions: 2, window_step: 1, train_on_validation: on }),
    ).map((w) => [...split.sequence.subarray(w.from, w.to)]);
  assert.deepEqual(windowsOf(false), [
    [1, 2, 3],
    [6, 7],
  ]);
  assert.deepEqual(windowsOf(true), [
    [2, 3, 4],
    [1, 2, 3],
    [6, 7],
  ]);
  assert.deepEqual([...trainingPopularity(split, false)], [0, 1, 1, 1, 0, 0, 1, 1]);
  assert.deepEqual([...trainingPopularity(split, true)], [0, 1, 1, 1, 1, 0, 1, 1]);
});

test('Cloze batches: deterministic, left-padded, masks within limits, packed predictions, last-item samples', () => {
  const users = Array.from({ length: 30 }, (_, u) =>
    Array.from({ length: 5 + (u % 20) }, (_, k) => (u + k) % 40),
  );
  const split = splitLeaveOneOut(log(users), 40, { hasTime: true, source: 't' });
  const config = resolveConfig('quick', {
    max_len: 8,
    window_step: 4,
    mask_prob: 0.5,
    max_predictions: 3,
    dupe_factor: 2,
  });
  const windows = trainingWindows(split, config);
  // a training part of 22 items (user 19) is cut into windows starting at 14, 10, 6, 2 and 0
  const long = windows.filter((w) => w.user === 19).map((w) => w.from - split.offsets[19]);
  assert.deepEqual(long, [14, 10, 6, 2, 0]);
  const instances = epochInstances(windows, config, 0);
  assert.equal(instances.length, windows.length * 3);
  const shape = { batch: 4, length: 8, predictions: 9, negatives: 0 };
  const all = [...trainingBatches(split, windows, instances, config, [shape], 0)];
  const again = [...trainingBatches(split, windows, instances, config, [shape], 0)];
  assert.deepEqual(
    all.map((b) => b.batch.ids),
    again.map((b) => b.batch.ids),
  );
  assert.equal(all[all.length - 1].next, instances.length);
  const mask = BigInt(split.items + 1);
  let lastOnly = 0;
  for (const { batch, sequences } of all) {
    assert.ok(sequences >= 1 && sequences <= 4);
    const used = batch.labels.filter((l) => l !== 0n).length;
    assert.ok(used <= 9);
    for (let k = 0; k < used; k++) {
      const at = Number(batch.masked_positions[k]);
      assert.equal(batch.ids[at], mask, 'every prediction slot holds [MASK]');
    }
    for (let r = 0; r < sequences; r++) {
      const row = [...batch.ids.subarray(r * 8, r * 8 + 8)];
      const first = row.findIndex((x) => x !== 0n);
      assert.ok(
        row.slice(first).every((x) => x !== 0n),
        'padding only on the left',
      );
      const masked = row.filter((x) => x === mask).length;
      assert.ok(masked >= 1 && masked <= 3);
      if (masked === 1 && row[7] === mask) lastOnly++;
    }
  }
  assert.ok(lastOnly >= windows.length, 'one last-item sample per window');
  // the cursor resumes mid-epoch on the same batches
  const resumed = trainingBatches(split, windows, instances, config, [shape], 0, all[2].next).next().value!;
  assert.deepEqual(resumed.batch.ids, all[3].batch.ids);
});

test('evaluation rows: the last N - 1 history items and [MASK] (Cloze), the last N items (next-item)', () => {
  const split = splitLeaveOneOut(log([[0, 1, 2, 3, 4, 5, 6]]), 7, { hasTime: true, source: 't' });
  const cloze = resolveConfig('quick', { max_len: 4, max_predictions: 2, window_step: 2 });
  assert.deepEqual([...evaluationIds(split, [0], 'validation', cloze, 1)], [3n, 4n, 5n, 8n]);
  assert.deepEqual([...evaluationIds(split, [0], 'test', cloze, 2)], [4n, 5n, 6n, 8n, 0n, 0n, 0n, 0n]);
  const next = { ...cloze, objective: 'next' as const };
  assert.deepEqual([...evaluationIds(split, [0], 'test', next, 1)], [3n, 4n, 5n, 6n]);
  assert.deepEqual([...evaluationIds(split, [0], 'validation', next, 1)], [2n, 3n, 4n, 5n]);
});

test('short_len: short instances go through the short step, batches never mix lengths, every instance once', () => {
  const users = Array.from({ length: 60 }, (_, u) =>
    Array.from({ length: 4 + ((u * 7) % 23) }, (_, k) => (u + 3 * k) % 50),
  );
  for (const objective of ['cloze', 'next'] as const) {
    const { split, config, windows, instances, shapes } = epochOf(users, 50, 3, {
      objective,
      max_len: 16,
      short_len: 6,
      window_step: 4,
      mask_prob: 0.5,
      max_predictions: 5,
      batch_size: 8,
      batch_predictions: 24,
    });
    assert.equal(shapes.length, 2);
    assert.equal(shapes[1].length, 6);
    assert.equal(shapes[0].length, 16);
    const batches = [...trainingBatches(split, windows, instances, config, shapes, 3)];
    assert.equal(batchesPerEpoch(windows, instances, config, shapes), batches.length);
    let from = 0;
    const used = [0, 0];
    for (const { batch, next, sequences, variant } of batches) {
      const { batch: B, length: T, predictions: M } = shapes[variant];
      assert.equal(batch.ids.length, B * T);
      assert.equal(batch.labels.length, M);
      assert.ok(sequences >= 1 && sequences <= B);
      // the batch is instances [from, next) of the epoch's order, all of the step's class
      assert.equal(next - from, sequences);
      for (let at = from; at < next; at++) {
        const window = windows[instances[at].window];
        const input = window.to - window.from - (objective === 'next' ? 1 : 0);
        assert.equal(input <= 6 ? 1 : 0, variant, `instance ${at} is in the wrong step`);
        // its row holds its items, left-padded to the step's length
        const row = batch.ids.subarray((at - from) * T, (at - from + 1) * T);
        assert.equal(row.filter((x) => x !== 0n).length, input);
        assert.notEqual(row[T - 1], 0n);
      }
      used[variant]++;
      from = next;
    }
    assert.equal(from, instances.length, 'the epoch covers every instance once');
    assert.ok(used[0] > 0 && used[1] > 0, 'both steps train');
    // the short step is sized to its class: fewer predictions than the full-length step's
    assert.ok(shapes[1].predictions <= shapes[0].predictions);
    // a cursor inside the epoch resumes on the same batches
    const k = Math.floor(batches.length / 2);
    const resumed = trainingBatches(split, windows, instances, config, shapes, 3, batches[k - 1].next).next()
      .value!;
    assert.deepEqual(resumed.batch.ids, batches[k].batch.ids);
    assert.equal(resumed.variant, batches[k].variant);
  }
  // without short_len: one step
  const plain = epochOf(users, 50, 0, { max_len: 16, window_step: 4, max_predictions: 5 });
  assert.equal(plain.shapes.length, 1);
  assert.throws(
    () => resolveConfig('quick', { max_len: 16, short_len: 16 }),
    /short_len must be 0 \(off\) or from 2 to max_len - 1 \(15\)/,
  );
  assert.throws(() => resolveConfig('quick', { max_len: 16, short_len: 1 }), /short_len/);
});

test('short_len: the short step computes what the full-length step computes on the same short windows', async () => {
  const users = Array.from({ length: 24 }, (_, u) =>
    Array.from({ length: 4 + (u % 5) }, (_, k) => (u + 2 * k) % 30),
  );
  const { split, config, windows, instances, shapes } = epochOf(users, 30, 0, {
    max_len: 12,
    short_len: 6,
    max_predictions: 3,
    hidden: 16,
    heads: 2,
    layers: 1,
    dropout: 0,
    attention_dropout: 0,
    batch_size: 4,
    batch_predictions: 8,
  });
  const short = [...trainingBatches(split, windows, instances, config, shapes, 0)].find(
    (b) => b.variant === 1,
  )!;
  const { batch: B, predictions: M } = shapes[1];
  // the same batch at length 12: each row left-padded by 6 more positions
  const ids = new BigInt64Array(B * 12);
  for (let r = 0; r < B; r++) for (let k = 0; k < 6; k++) ids[r * 12 + 6 + k] = short.batch.ids[r * 6 + k];
  const positions = short.batch.masked_positions.map((p) => (p / 6n) * 12n + 6n + (p % 6n));
  const long = { ...short.batch, ids, masked_positions: positions };
  const fullProgram = trainProgram(
    config,
    split.items,
    { batch: B, length: 12, predictions: M, negatives: 0 },
    50,
  );
  const shortProgram = trainProgram(config, split.items, shapes[1], 50);
  const withShort = await Trainer.create(fullProgram, {
    device: 'cpu',
    threads: 1,
    variants: [shortProgram],
  });
  const fullOnly = await Trainer.create(fullProgram, { device: 'cpu', threads: 1 });
  try {
    const a = await withShort.step(short.batch, 1);
    const b = await fullOnly.step(long);
    assert.ok(Math.abs(a.loss - b.loss) < 1e-5, `short step loss ${a.loss}, full-length ${b.loss}`);
    const after = await withShort.parameters();
    const expected = await fullOnly.parameters();
    for (const name of Object.keys(expected)) {
      const gap = maxAbsDiff(after[name], expected[name]);
      assert.ok(gap < 1e-5, `${name} differs by ${gap}`);
    }
  } finally {
    await withShort.release();
    await fullOnly.release();
  }
});
