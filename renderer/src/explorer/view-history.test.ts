import assert from 'node:assert/strict';
import { test } from 'node:test';
import { colouringOf } from './categories.ts';
import {
  changed,
  filteredOut,
  filteredShown,
  initialView,
  redone,
  selected,
  startHistory,
  toggledCategory,
  undone,
} from './view-history.ts';

test('undo and redo walk selections and filters in order; a new change drops the redo branch', () => {
  let h = startHistory();
  h = changed(selected(Int32Array.of(1, 2, 3)))(h);
  h = changed(toggledCategory('type', 'author'))(h);
  h = changed(filteredShown(true))(h);
  assert.deepEqual(h.present, {
    selection: Int32Array.of(1, 2, 3),
    excluded: { type: ['author'], class: [], cluster: [] },
    hideFiltered: true,
  });
  h = undone(undone(h));
  assert.deepEqual(h.present.selection, Int32Array.of(1, 2, 3));
  assert.deepEqual(h.present.excluded.type, []);
  h = redone(h);
  assert.deepEqual(h.present.excluded.type, ['author']);
  assert.equal(h.future.length, 1);
  h = changed(selected(Int32Array.of(4)))(h);
  assert.equal(h.future.length, 0, 'a new choice forgets what was undone');
  assert.equal(redone(h), h);
  h = undone(undone(undone(h)));
  assert.equal(h.present, initialView);
  assert.equal(undone(h), h, 'nothing before the start');
});

test('changes that change nothing are not steps; an empty selection clears it', () => {
  let h = startHistory();
  h = changed(selected(new Int32Array(0)))(h);
  h = changed(filteredShown(false))(h);
  assert.equal(h.past.length, 0);
  h = changed(selected(Int32Array.of(5)))(h);
  h = changed(selected(new Int32Array(0)))(h);
  assert.equal(h.present.selection, null);
  assert.equal(h.past.length, 2);
  h = changed(toggledCategory('class', 'x'))(h);
  h = changed(toggledCategory('class', 'x'))(h);
  assert.deepEqual(h.present.excluded.class, [], 'toggling twice shows it again');
});

test('the history keeps the last 50 steps', () => {
  let h = startHistory();
  for (let i = 0; i < 100; i++) h = changed(selected(Int32Array.of(i)))(h);
  assert.equal(h.past.length, 50);
  assert.deepEqual(h.past[0].selection, Int32Array.of(49));
});

test('filters take out the points of every excluded category, other covering the long tail', () => {
  const types = ['paper', 'author', 'paper', 'venue'];
  const classes = ['a', null, 'b', null];
  const colourings = { type: colouringOf(types), class: colouringOf(classes), cluster: null };
  assert.equal(filteredOut(colourings, initialView.excluded, 4), null);
  assert.deepEqual(
    [...filteredOut(colourings, { type: ['author'], class: ['b'], cluster: ['cluster 1'] }, 4)!],
    [0, 1, 1, 0],
  );
  assert.deepEqual(
    [...filteredOut(colourings, { type: [], class: ['none'], cluster: [] }, 4)!],
    [0, 1, 0, 1],
  );
});
