import { z } from 'zod';
import type { EntityRow } from '../../workspace/types.ts';
import { parseOptions } from '../options.ts';
import { key, number, timestamp } from '../read/fields.ts';
import { expandPaths, extension, stem } from '../read/files.ts';
import { statFile } from '../read/input.ts';
import { ImportMeter } from '../read/progress.ts';
import { columnName, readTable, sniffTable, type TableShape } from '../read/table.ts';
import { type Importer, InputError } from '../types.ts';
import { NetworkBuilder } from './network-builder.ts';

const edgesOptions = z.object({
  delimiter: z.string().min(1).optional(),
  header: z.boolean().optional(),
  quotes: z.boolean().optional(),
});

const names = {
  key: ['id', 'key', 'node', 'node_id'],
  label: ['label', 'name', 'title'],
  class: ['class', 'class_label', 'category', 'area', 'group'],
  nodeType: ['type', 'node_type', 'kind'],
  source: ['source', 'src', 'from', 'source_id'],
  target: ['target', 'dst', 'to', 'target_id'],
  sourceType: ['source_type', 'src_type', 'from_type'],
  targetType: ['target_type', 'dst_type', 'to_type'],
  relation: ['relation', 'relation_type', 'type', 'label', 'kind'],
  weight: ['weight', 'w', 'value'],
  time: ['time', 'timestamp'],
};
const knownNames = Object.values(names).flat();

/** What one file of an `edges` import holds, decided from its header and its name. */
type FileRole =
  | { role: 'nodes'; type: string | null }
  | { role: 'edges'; sourceType: string | null; targetType: string | null; relation: string | null };

/**
 * `author.csv` is a node table of type author; `nodes.csv` one with a type column;
 * `author-paper.csv` / `paper_author.tsv` hold relations paper->author named `paper-author`;
 * `author-writes-paper.csv` relations named `writes`; `edges.csv` (or a header with source_type,
 * target_type) holds relations whose types come from columns.
 */
function roleOf(file: string, shape: TableShape): FileRole {
  const header = shape.header?.map(columnName) ?? [];
  const name = stem(file);
  const lower = name.toLowerCase();
  const has = (list: readonly string[]) => header.some((h) => list.includes(h));
  if (has(names.sourceType) && has(names.targetType))
    return { role: 'edges', sourceType: null, targetType: null, relation: null };
  if (has(names.source) && has(names.target) && !/[-_]/.test(name)) {
    return { role: 'edges', sourceType: 'node', targetType: 'node', relation: 'edge' };
  }
  if (lower === 'nodes' || lower === 'vertices')
    return { role: 'nodes', type: has(names.nodeType) ? null : 'node' };
  if (lower === 'edges' || lower === 'links')
    return { role: 'edges', sourceType: 'node', targetType: 'node', relation: 'edge' };
  const parts = name.split(/[-_]/).filter(Boolean);
  if (parts.length === 1) return { role: 'nodes', type: name };
  if (parts.length === 2)
    return { role: 'edges', sourceType: parts[0], targetType: parts[1], relation: `${parts[0]}-${parts[1]}` };
  if (parts.length === 3)
    return { role: 'edges', sourceType: parts[0], targetType: parts[2], relation: parts[1] };
  throw new InputError(
    file,
    null,
    null,
    'cannot tell what this file holds from its name: expected <type>.csv (nodes), <source>-<target>.csv or <source>-<relation>-<target>.csv (edges), or source_type/target_type columns',
  );
}

function column(shape: TableShape, list: readonly string[], fallback: number): number {
  if (shape.header) return shape.header.findIndex((h) => list.includes(columnName(h)));
  return fallback < shape.columns ? fallback : -1;
}

function attributeValue(text: string): unknown {
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

/**
 * Typed edge lists in CSV/TSV: one file per relation type or one file with type columns, plus
 * optional node tables with names, labels and classes (other node columns become attributes).
 * Relations may only refer to described entities of a type that has a node table.
 */
export const edgesNetwork: Importer = {
  format: 'edges',
  kind: 'network',
  description: 'typed edge lists in CSV/TSV (one file per relation type or type columns) and node tables',
  async detect(paths) {
    const files = await expandPaths(paths).catch(() => []);
    return files.length > 0 && files.every((f) => ['csv', 'tsv'].includes(extension(f)));
  },
  async run(paths, ctx) {
    const options = parseOptions('edges', edgesOptions, ctx.options);
    const files = (await expandPaths(paths)).filter((f) => ['csv', 'tsv', 'txt'].includes(extension(f)));
    if (files.length === 0) throw new InputError(paths.join(', '), null, null, 'no .csv or .tsv files');
    const tables = [];
    for (const file of files) {
      // `author-paper.csv` may head its columns with the type names
      const typeNames = stem(file)
        .split(/[-_]/)
        .flatMap((t) => [t.toLowerCase(), `${t.toLowerCase()}_id`]);
      const shape = await sniffTable(file, { ...options, knownNames: [...knownNames, ...typeNames] });
      tables.push({ file, shape, size: await statFile(file), role: roleOf(file, shape) });
    }
    // node tables first, so relations can be checked against them
    tables.sort((a, b) => Number(a.role.role === 'edges') - Number(b.role.role === 'edges'));
    const meter = new ImportMeter(
      tables.reduce((a, t) => a + t.size, 0),
      ctx.progress,
      ctx.signal,
    );
    const network = new NetworkBuilder(ctx.session);
    for (const { file, shape, size, role } of tables) {
      const field = (at: number, fallback: string) => (shape.header ? shape.header[at] : fallback);
      if (role.role === 'nodes') {
        const typeAt = role.type === null ? column(shape, names.nodeType, -1) : -1;
        const keyAt = Math.max(
          0,
          column(shape, role.type ? [...names.key, `${role.type}_id`, role.type] : names.key, 0),
        );
        const labelAt = column(shape, names.label, 1);
        const classAt = column(shape, names.class, -1);
        const rest = shape.header
          ? shape.header.map((_, j) => j).filter((j) => ![typeAt, keyAt, labelAt, classAt].includes(j))
          : [];
        await readTable(shape, ctx.signal, meter, (fields, line) => {
          const type = typeAt >= 0 ? key(fields[typeAt], file, line, field(typeAt, 'type')) : role.type!;
          const row: EntityRow = {
            key: key(fields[keyAt], file, line, field(keyAt, 'id')),
            label: labelAt >= 0 ? fields[labelAt] : null,
            classLabel: classAt >= 0 && fields[classAt] !== '' ? fields[classAt] : null,
            attributes:
              rest.length > 0
                ? Object.fromEntries(rest.map((j) => [shape.header![j], attributeValue(fields[j])]))
                : null,
          };
          network.addEntity(type, row, file, line, field(keyAt, 'id'));
        });
      } else {
        const sourceAt = column(
          shape,
          role.sourceType ? [...names.source, role.sourceType, `${role.sourceType}_id`] : names.source,
          0,
        );
        const targetAt = column(
          shape,
          role.targetType ? [...names.target, role.targetType, `${role.targetType}_id`] : names.target,
          1,
        );
        const sourceTypeAt = role.sourceType === null ? column(shape, names.sourceType, -1) : -1;
        const targetTypeAt = role.targetType === null ? column(shape, names.targetType, -1) : -1;
        const relationAt = role.relation === null ? column(shape, names.relation, -1) : -1;
        const weightAt = column(shape, names.weight, 2);
        const timeAt = shape.header ? column(shape, names.time, -1) : -1;
        if (sourceAt < 0 || targetAt < 0) {
          throw new InputError(
            file,
            1,
            sourceAt < 0 ? 'source' : 'target',
            `no ${sourceAt < 0 ? 'source' : 'target'} column in the header ${JSON.stringify(shape.header)}`,
          );
        }
        await readTable(shape, ctx.signal, meter, (fields, line) => {
          const sourceType =
            role.sourceType ?? key(fields[sourceTypeAt], file, line, field(sourceTypeAt, 'source_type'));
          const targetType =
            role.targetType ?? key(fields[targetTypeAt], file, line, field(targetTypeAt, 'target_type'));
          const relation =
            role.relation ??
            (relationAt >= 0
              ? key(fields[relationAt], file, line, field(relationAt, 'relation'))
              : `${sourceType}-${targetType}`);
          const batch = network.relationType(relation, sourceType, targetType);
          const s = key(fields[sourceAt], file, line, field(sourceAt, 'source'));
          const t = key(fields[targetAt], file, line, field(targetAt, 'target'));
          batch.push(
            network.entity(
              sourceType,
              s,
              !network.isDescribed(sourceType),
              file,
              line,
              field(sourceAt, 'source'),
            ),
            network.entity(
              targetType,
              t,
              !network.isDescribed(targetType),
              file,
              line,
              field(targetAt, 'target'),
            ),
            timeAt >= 0 ? timestamp(fields[timeAt], file, line, field(timeAt, 'time')) : Number.NaN,
            weightAt >= 0 ? number(fields[weightAt], file, line, field(weightAt, 'weight')) : Number.NaN,
          );
        });
      }
      meter.endFile(size);
    }
    network.finish();
  },
};
