import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ImportCancelled, InputError } from '../types.ts';
import {
  decodeVideo,
  ffmpegImporter,
  findExecutable,
  probeVideo,
  requireFfmpeg,
  ToolMissing,
} from './ffmpeg.ts';
import { importFixture, tempDir } from './media-fixtures.ts';

const tools = findExecutable('ffmpeg', process.env.PATH) ? requireFfmpeg(process.env.PATH) : null;
const noSignal = new AbortController().signal;

/** A 7-frame, 32x24, 10 fps MP4 of ffmpeg's moving test pattern, made once for this file's tests. */
const videoDir = mkdtempSync(join(tmpdir(), 'ffmpeg-test-'));
const testVideo = join(videoDir, 'clip.mp4');
after(() => rmSync(videoDir, { recursive: true, force: true }));
before(() => {
  if (!tools) return;
  execFileSync(tools.ffmpeg, [
    ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=32x24:rate=10'],
    ...['-frames:v', '7', '-pix_fmt', 'yuv420p', '-y', testVideo],
  ]);
});

test('without ffmpeg on PATH the error says to install it', () => {
  assert.equal(findExecutable('ffmpeg', ''), null);
  assert.throws(
    () => requireFfmpeg(''),
    (error: unknown) => {
      assert.ok(error instanceof ToolMissing);
      assert.match(error.message, /ffmpeg was not found on PATH.*install it.*apt install ffmpeg/);
      return true;
    },
  );
});

test('an MP4 made by ffmpeg decodes to [frames, h, w, 3] with its size and fps', {
  skip: !tools && 'ffmpeg is not installed',
}, async () => {
  const file = testVideo;
  const probe = await probeVideo(tools!, file, noSignal);
  assert.deepEqual(probe, { width: 32, height: 24, fps: 10 });
  const { pixels, frames } = await decodeVideo(tools!, file, probe, noSignal);
  assert.equal(frames, 7);
  assert.equal(pixels.length, 7 * 24 * 32 * 3);
  const frameBytes = 24 * 32 * 3;
  assert.notDeepEqual(
    pixels.subarray(0, frameBytes),
    pixels.subarray(frameBytes, 2 * frameBytes),
    'the pattern moves',
  );
  const limited = await decodeVideo(tools!, file, probe, noSignal, 3);
  assert.equal(limited.frames, 3);
});

test('a file that is not a video is an InputError naming it', {
  skip: !tools && 'ffmpeg is not installed',
}, async (t) => {
  const file = join(tempDir(t), 'broken.mp4');
  writeFileSync(file, 'this is not a video');
  await assert.rejects(probeVideo(tools!, file, noSignal), (error: unknown) => {
    assert.ok(error instanceof InputError);
    assert.equal(error.file, file);
    assert.match(error.problem, /no readable video stream/);
    return true;
  });
});

test('MP4 clips in class folders import as clip entities; no ffmpeg on PATH or a cancel change nothing', {
  skip: !tools && 'ffmpeg is not installed',
}, async (t) => {
  const root = tempDir(t);
  mkdirSync(join(root, 'left'));
  mkdirSync(join(root, 'right'));
  for (const name of ['left/a.mp4', 'right/b.mp4', 'right/c.avi']) copyFileSync(testVideo, join(root, name));
  const { run, workspace } = importFixture(t);
  assert.equal(await ffmpegImporter.detect([root]), true);
  const dataset = await run(ffmpegImporter, [root], { maxFrames: 5 });
  assert.deepEqual(dataset.stats.entities, { clip: 3 });
  assert.deepEqual(dataset.stats.classes, { left: 1, right: 2 });
  assert.deepEqual(dataset.stats.media, { count: 3, width: 32, height: 24, channels: 3, frames: 5 });

  const path = process.env.PATH;
  process.env.PATH = '';
  try {
    await assert.rejects(run(ffmpegImporter, [root]), ToolMissing);
  } finally {
    process.env.PATH = path;
  }
  const controller = new AbortController();
  await assert.rejects(
    run(ffmpegImporter, [root], {}, { signal: controller.signal, onProgress: () => controller.abort() }),
    ImportCancelled,
  );
  assert.equal(workspace.datasets.list().length, 1);
});

test("onCorrupt: 'skip' imports the readable videos and notes the unreadable one; without it the import fails naming it", {
  skip: !tools && 'ffmpeg is not installed',
}, async (t) => {
  const root = tempDir(t);
  copyFileSync(testVideo, join(root, 'a.mp4'));
  const broken = join(root, 'b.avi');
  writeFileSync(broken, 'this is not a video');
  const { run, workspace } = importFixture(t);
  await assert.rejects(run(ffmpegImporter, [root]), (error: unknown) => {
    assert.ok(error instanceof InputError);
    assert.equal(error.file, broken);
    assert.match(error.problem, /no readable video stream.*onCorrupt: 'skip'/);
    return true;
  });
  assert.deepEqual(workspace.datasets.list(), []);
  const dataset = await run(ffmpegImporter, [root], { onCorrupt: 'skip' });
  assert.deepEqual(dataset.stats.entities, { clip: 1 });
  assert.deepEqual(
    dataset.stats.notes?.map((n) => [n.action, n.file]),
    [['skipped', broken]],
  );
});
