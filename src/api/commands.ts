// The contract: every command the UI, the serve-mode WebSocket and the CLI can send, with its
// input, output and progress schemas. Pure zod, so the renderer can import it.
import type { z } from 'zod';
import { analysisCommands } from './schema/analysis.ts';
import { benchCommands } from './schema/bench.ts';
import { bert4recCommands } from './schema/bert4rec.ts';
import { contrastiveCommands } from './schema/contrastive.ts';
import { datasetCommands } from './schema/datasets.ts';
import { demoCommands } from './schema/demo.ts';
import { evaluateCommands } from './schema/evaluate.ts';
import { exportCommands } from './schema/export.ts';
import { imageEvaluationCommands } from './schema/image-evaluation.ts';
import { importCommands } from './schema/import.ts';
import { inspectCommands } from './schema/inspect.ts';
import { mediaCommands } from './schema/media.ts';
import { metapath2vecCommands } from './schema/metapath2vec.ts';
import { modelCommands } from './schema/models.ts';
import { networkCommands } from './schema/network.ts';
import { recommendationCommands } from './schema/recommendation.ts';
import { runHistoryCommands } from './schema/run-history.ts';
import { runCommands } from './schema/runs.ts';
import { simclrCommands } from './schema/simclr.ts';
import { simclr2Commands } from './schema/simclr2.ts';
import { trainCommands } from './schema/train.ts';
import { videoCommands } from './schema/video.ts';
import { visionCommands } from './schema/vision.ts';
import { vitCommands } from './schema/vit.ts';

export interface CommandSpec {
  description: string;
  input: z.ZodType;
  output: z.ZodType;
  /** z.never() for commands that report no progress */
  progress: z.ZodType;
}

export const commands = {
  ...datasetCommands,
  ...importCommands,
  ...demoCommands,
  ...benchCommands,
  ...exportCommands,
  ...runCommands,
  ...runHistoryCommands,
  ...modelCommands,
  ...trainCommands,
  ...inspectCommands,
  ...metapath2vecCommands,
  ...evaluateCommands,
  ...bert4recCommands,
  ...vitCommands,
  ...videoCommands,
  ...imageEvaluationCommands,
  ...contrastiveCommands,
  ...simclrCommands,
  ...simclr2Commands,
  ...visionCommands,
  ...mediaCommands,
  ...analysisCommands,
  ...networkCommands,
  ...recommendationCommands,
} as const satisfies Record<string, CommandSpec>;

export type Commands = typeof commands;
export type CommandName = keyof Commands;
/** what a caller sends (defaults not yet applied) */
export type CommandInput<N extends CommandName> = z.input<Commands[N]['input']>;
/** what a handler receives (validated, defaults applied) */
export type ParsedInput<N extends CommandName> = z.output<Commands[N]['input']>;
export type CommandOutput<N extends CommandName> = z.output<Commands[N]['output']>;
export type CommandProgress<N extends CommandName> = z.output<Commands[N]['progress']>;

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(commands, name);
}
