import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { type NpyArray, npyNumber, readNpy } from '../npy.ts';
import { parseOptions } from '../options.ts';
import { integerKey } from '../read/fields.ts';
import { isDirectory, listFiles, stem } from '../read/files.ts';
import { ImportMeter } from '../read/progress.ts';
import { readRecords } from '../read/records.ts';
import { type Importer, InputError } from '../types.ts';
import { NetworkBuilder } from './network-builder.ts';

/** Edge files are named by two type letters: `pa.txt` links type `p` to type `a`. */
const edgeFileName = /^([a-z])([a-z])\.txt$/i;

const hecoOptions = z.object({
  /** the type `labels.npy` describes; by default the letter shared by every edge file */
  labelledType: z.string().length(1).optional(),
});

async function edgeFiles(folder: string): Promise<{ file: string; source: string; target: string }[]> {
  return (await listFiles(folder)).flatMap((file) => {
    const match = edgeFileName.exec(`${stem(file)}.txt`);
    return match && file.endsWith('.txt') ? [{ file, source: match[1], target: match[2] }] : [];
  });
}

/** The class of row `i`: the value of a 1-D label array, the arg-max of a one-hot 2-D one. */
function classOf(labels: NpyArray, i: number): string {
  if (labels.shape.length === 1) return String(npyNumber(labels, i));
  const width = labels.shape[1];
  let best = 0;
  for (let j = 1; j < width; j++)
    if (npyNumber(labels, i * width + j) > npyNumber(labels, i * width + best)) best = j;
  return String(best);
}

/**
 * The HeCo/MAGNN layout: a folder of `xy.txt` edge lists (0-based ids "x y" per line; the file
 * name's letters are the entity types) and `labels.npy` with the class of each entity of the
 * labelled type (ids 0..n-1). Labels are kept as the file gives them.
 */
export const hecoNetwork: Importer = {
  format: 'heco',
  kind: 'network',
  description: 'HeCo/MAGNN folder: xy.txt edge lists named by type letters, labels.npy classes',
  async detect(paths) {
    return (
      paths.length === 1 &&
      (await isDirectory(paths[0])) &&
      existsSync(join(paths[0], 'labels.npy')) &&
      (await edgeFiles(paths[0])).length > 0
    );
  },
  async run(paths, ctx) {
    const options = parseOptions('heco', hecoOptions, ctx.options);
    const folder = paths[0];
    if (paths.length !== 1 || !(await isDirectory(folder))) {
      throw new InputError(
        paths.join(', '),
        null,
        null,
        'expected one folder in the HeCo layout (xy.txt edge lists, labels.npy)',
      );
    }
    const edges = await edgeFiles(folder);
    if (edges.length === 0)
      throw new InputError(folder, null, null, 'no edge lists named by two type letters (e.g. pa.txt)');
    const labelledType =
      options.labelledType ??
      [edges[0].source, edges[0].target].find((t) => edges.every((e) => e.source === t || e.target === t)) ??
      edges[0].source;
    const labelsFile = join(folder, 'labels.npy');
    const labels = existsSync(labelsFile) ? await readNpy(labelsFile) : null;
    if (labels && (labels.shape.length < 1 || labels.shape.length > 2)) {
      throw new InputError(
        labelsFile,
        null,
        'shape',
        `expected a 1-D class array or a 2-D one-hot array, got shape (${labels.shape.join(', ')})`,
      );
    }
    const meter = await ImportMeter.forFiles(
      edges.map(({ file }) => file),
      ctx,
    );
    const network = new NetworkBuilder(ctx.session);
    if (labels) {
      for (let i = 0; i < labels.shape[0]; i++) {
        network.addEntity(
          labelledType,
          { key: String(i), classLabel: classOf(labels, i) },
          labelsFile,
          1,
          'labels',
        );
      }
    }
    for (const [f, { file, source, target }] of edges.entries()) {
      const relation = network.relationType(`${source}-${target}`, source, target);
      let rows = 0;
      await readRecords(
        file,
        {
          delimiter: 'whitespace',
          quotes: false,
          signal: ctx.signal,
          onChunk: (input) => meter.readInput(input),
        },
        (fields, line) => {
          if (fields.length !== 2) {
            throw new InputError(
              file,
              line,
              null,
              `expected 2 ids "${source} ${target}", found ${fields.length} fields`,
            );
          }
          // the labelled type's ids are fixed by labels.npy; an id beyond it is an unknown entity
          const s = integerKey(fields[0], file, line, `${source} id`);
          const t = integerKey(fields[1], file, line, `${target} id`);
          relation.push(
            network.entity(source, s, !(labels && source === labelledType), file, line, `${source} id`),
            network.entity(target, t, !(labels && target === labelledType), file, line, `${target} id`),
            Number.NaN,
            Number.NaN,
          );
          rows++;
          meter.row();
        },
      );
      if (rows === 0)
        throw new InputError(file, null, null, `file is empty; expected "${source} ${target}" id pairs`);
      meter.endFile(meter.fileSizes[f]);
    }
    network.finish();
  },
};
