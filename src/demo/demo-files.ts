// Generates every file of the demo into a folder, in the layouts the importers read.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { generateAcademicNetwork, writeFourAreaLayout } from './academic-network.ts';
import { writeDigitImages } from './digit-images.ts';
import { writeMovingDigits } from './moving-digits.ts';
import type { DemoSpec } from './spec.ts';
import { generateWatchLog, writeWatchLogCsv } from './watch-log.ts';

export interface DemoImport {
  name: string;
  kind: 'network' | 'interactions' | 'images' | 'videos';
  format: string;
  paths: string[];
  options: Record<string, unknown>;
}

export interface DemoPart {
  /** what is generated, in the user's words */
  step: string;
  write(dir: string): Promise<DemoImport>;
}

/** The demo's parts in build order; each writes its files under `dir` and says how to import them. */
export function demoParts(spec: DemoSpec, seed: number): DemoPart[] {
  return [
    {
      step: spec.academicNetwork.name,
      async write(dir) {
        const folder = join(dir, 'academic-network');
        await mkdir(folder, { recursive: true });
        await writeFourAreaLayout(generateAcademicNetwork(spec.academicNetwork, seed), folder);
        return {
          name: spec.academicNetwork.name,
          kind: 'network',
          format: 'dblp-four-area',
          paths: [folder],
          options: {},
        };
      },
    },
    {
      step: spec.interactionLog.name,
      async write(dir) {
        const file = join(dir, 'watch-log.csv');
        await writeWatchLogCsv(generateWatchLog(spec.interactionLog, seed), file);
        return {
          name: spec.interactionLog.name,
          kind: 'interactions',
          format: 'csv',
          paths: [file],
          options: { user: 'user_id', item: 'item_id', time: 'timestamp', rating: 'rating' },
        };
      },
    },
    {
      step: spec.digits.name,
      async write(dir) {
        const folder = join(dir, 'digits');
        await writeDigitImages(spec.digits, seed, folder);
        return { name: spec.digits.name, kind: 'images', format: 'folder', paths: [folder], options: {} };
      },
    },
    {
      step: spec.motion.name,
      async write(dir) {
        const folder = join(dir, 'moving-digits');
        await writeMovingDigits(spec.motion, seed, folder);
        return { name: spec.motion.name, kind: 'videos', format: 'frames', paths: [folder], options: {} };
      },
    },
  ];
}
