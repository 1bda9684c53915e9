import type { Command } from 'commander';
import type { Dataset } from '../../api/schema/datasets.ts';
import { commonOptions, withCommonOptions } from '../common-options.ts';
import { count, counts } from '../format.ts';
import { runCommand } from '../run-command.ts';

/** Notes listed per dataset in the text view; --json has every stored one. */
const shownNotes = 10;

function describeDataset(d: Dataset): string {
  const lines = [`${d.name}  (${d.kind}, ${d.source.format}, created ${d.createdAt})`];
  lines.push(`  entities   ${counts(d.stats.entities)}`);
  lines.push(`  relations  ${counts(d.stats.relations)}`);
  const log = d.stats.interactions;
  if (log) {
    const s = log.sequenceLength;
    lines.push(
      `  log        ${count(log.users)} users · ${count(log.items)} items · ${count(log.interactions)} interactions${log.hasTime ? '' : ' (no timestamps)'}`,
    );
    lines.push(`  sequences  min ${s.min} · median ${s.median} · mean ${s.mean.toFixed(1)} · max ${s.max}`);
  }
  const media = d.stats.media;
  if (media) {
    const shape = [
      media.frames && media.frames > 1 ? `${media.frames} frames` : '',
      media.width ? `${media.width}x${media.height}` : '',
      media.channels ? `${media.channels} ch` : '',
    ]
      .filter(Boolean)
      .join(', ');
    lines.push(`  media      ${count(media.count)}${shape ? ` (${shape})` : ''}`);
  }
  if (d.stats.classes) {
    const labelled = Object.entries(d.stats.labelled ?? {}).map(
      ([type, n]) => `${type}: ${count(n)} of ${count(d.stats.entities[type] ?? n)} labelled`,
    );
    lines.push(
      `  classes    ${counts(d.stats.classes)}${labelled.length ? ` (${labelled.join(', ')})` : ''}`,
    );
  }
  const notes = d.stats.notes ?? [];
  const shown = notes.slice(0, shownNotes);
  for (const [i, note] of shown.entries()) {
    const where = `${note.file}${note.line != null ? `:${note.line}` : ''}`;
    lines.push(`  ${i === 0 ? 'notes     ' : '          '} ${note.action} ${where}: ${note.problem}`);
  }
  const more = notes.length - shown.length + (d.stats.notesOmitted ?? 0);
  if (more > 0) lines.push(`             ... and ${count(more)} more`);
  return lines.join('\n');
}

export function registerDatasets(program: Command): void {
  const datasets = program.command('datasets').description('list, rename or delete datasets');

  withCommonOptions(
    datasets.command('list', { isDefault: true }).description('list the datasets with their stats'),
  ).action(async (flags) => {
    const common = commonOptions(flags);
    await runCommand('datasets.list', {}, common, {
      text: ({ datasets }) =>
        datasets.length
          ? datasets.map(describeDataset).join('\n\n')
          : `no datasets in ${common.workspace} yet`,
    });
  });

  withCommonOptions(
    datasets.command('rename').description('rename a dataset').argument('<name>').argument('<new-name>'),
  ).action(async (name: string, newName: string, flags) => {
    await runCommand('datasets.rename', { name, newName }, commonOptions(flags), {
      text: ({ dataset }) => `renamed ${name} to ${dataset.name}`,
    });
  });

  withCommonOptions(
    datasets
      .command('delete')
      .description('delete a dataset with its entities, relations, media and runs')
      .argument('<name>'),
  ).action(async (name: string, flags) => {
    await runCommand('datasets.delete', { name }, commonOptions(flags), {
      text: ({ deleted }) => `deleted ${deleted}`,
    });
  });
}
