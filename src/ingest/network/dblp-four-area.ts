import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { integerKey } from '../read/fields.ts';
import { isDirectory, legacyEncoding } from '../read/files.ts';
import { ImportMeter } from '../read/progress.ts';
import { readRecords } from '../read/records.ts';
import { type Importer, InputError } from '../types.ts';
import { NetworkBuilder } from './network-builder.ts';

/** The layout's object types (node files `<type>.txt`: id, name). */
const entityTypes = ['author', 'paper', 'conf', 'term'] as const;
/** The layout's link files `paper_<type>.txt`: paper id, other id. */
const relationTargets = ['author', 'conf', 'term'] as const;
/** readme.txt: "meaning of the labels: 0: Database; 1: Data Mining; 2: AI; 3: Information Retrieval" */
const areas: Record<string, string> = { '0': 'DB', '1': 'DM', '2': 'AI', '3': 'IR' };

function folderOf(paths: readonly string[]): string | null {
  return paths.length === 1 ? paths[0] : null;
}

/**
 * The DBLP four-area layout (Ji, Sun et al. 2010; HAN and MAGNN's DBLP): tab-separated node files
 * author/paper/conf/term.txt, link files paper_author/paper_conf/paper_term.txt, and research-area
 * labels: author_label.txt gives the authors' class labels, paper_label.txt and conf_label.txt an
 * `area` attribute.
 */
export const dblpFourArea: Importer = {
  format: 'dblp-four-area',
  kind: 'network',
  description: 'DBLP four-area folder: author/paper/conf/term.txt, paper_<type>.txt links, *_label.txt areas',
  async detect(paths) {
    const folder = folderOf(paths);
    return (
      folder !== null &&
      (await isDirectory(folder)) &&
      [...entityTypes.map((t) => `${t}.txt`), 'paper_author.txt'].every((f) => existsSync(join(folder, f)))
    );
  },
  async run(paths, ctx) {
    const folder = folderOf(paths);
    if (folder === null || !(await isDirectory(folder))) {
      throw new InputError(paths.join(', '), null, null, 'expected one folder in the DBLP four-area layout');
    }
    const nodeFiles = entityTypes.map((type) => ({ type, file: join(folder, `${type}.txt`) }));
    const linkFiles = relationTargets.map((type) => ({ type, file: join(folder, `paper_${type}.txt`) }));
    const labelFiles = entityTypes
      .map((type) => ({ type, file: join(folder, `${type}_label.txt`) }))
      .filter(({ file }) => existsSync(file));
    const all = [...labelFiles, ...nodeFiles, ...linkFiles];
    const meter = await ImportMeter.forFiles(
      all.map(({ file }) => file),
      ctx,
    );
    // the 2010 files mix in ISO-8859-1 names (paper.txt), read as such when not valid UTF-8
    const read = async (file: string, onRecord: (fields: string[], line: number) => void) =>
      readRecords(
        file,
        {
          delimiter: '\t',
          quotes: false,
          signal: ctx.signal,
          encoding: await legacyEncoding(file),
          onChunk: (input) => meter.readInput(input),
        },
        (fields, line) => {
          onRecord(fields, line);
          meter.row();
        },
      );
    let done = 0;
    const endFile = () => meter.endFile(meter.fileSizes[done++]);

    // labels first: they are part of each entity row
    const labels = new Map<string, Map<string, string>>();
    for (const { type, file } of labelFiles) {
      const byKey = new Map<string, string>();
      await read(file, (fields, line) => {
        const key = integerKey(fields[0], file, line, `${type} id`);
        const area = areas[(fields[1] ?? '').trim()];
        if (area === undefined) {
          throw new InputError(
            file,
            line,
            'label',
            `expected an area label 0, 1, 2 or 3, got ${JSON.stringify(fields[1])}`,
          );
        }
        byKey.set(key, area);
      });
      labels.set(type, byKey);
      endFile();
    }

    const network = new NetworkBuilder(ctx.session);
    for (const { type, file } of nodeFiles) {
      const classes = labels.get(type);
      let rows = 0;
      await read(file, (fields, line) => {
        if (fields.length < 2) throw new InputError(file, line, null, 'expected "id<TAB>name"');
        const key = integerKey(fields[0], file, line, `${type} id`);
        // authors are the layout's classification target (DBLP4057); paper and conf areas stay attributes
        const area = classes?.get(key);
        const row =
          type === 'author'
            ? { key, label: fields[1], classLabel: area ?? null }
            : { key, label: fields[1], attributes: area ? { area } : null };
        network.addEntity(type, row, file, line, `${type} id`);
        rows++;
      });
      if (rows === 0)
        throw new InputError(file, null, null, `file is empty; expected ${type} rows "id<TAB>name"`);
      endFile();
    }
    for (const { type, file } of linkFiles) {
      const relation = network.relationType(`paper-${type}`, 'paper', type);
      await read(file, (fields, line) => {
        if (fields.length !== 2) {
          throw new InputError(
            file,
            line,
            null,
            `expected 2 tab-separated ids "paper<TAB>${type}", found ${fields.length} fields`,
          );
        }
        const paper = network.entity(
          'paper',
          integerKey(fields[0], file, line, 'paper id'),
          false,
          file,
          line,
          'paper id',
        );
        const other = network.entity(
          type,
          integerKey(fields[1], file, line, `${type} id`),
          false,
          file,
          line,
          `${type} id`,
        );
        relation.push(paper, other, Number.NaN, Number.NaN);
      });
      endFile();
    }
    network.finish();
  },
};
