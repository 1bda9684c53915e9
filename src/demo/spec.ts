import { readFileSync } from 'node:fs';
import { z } from 'zod';

const range = z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]);
const probability = z.number().min(0).max(1);

/** What the embedded demo contains: resources/demo/demo.json, checked by this schema. */
export const DemoSpec = z.object({
  seed: z.number().int().nonnegative(),
  academicNetwork: z.object({
    name: z.string(),
    areas: z.array(z.string()).min(2),
    authorsPerArea: z.number().int().positive(),
    papersPerArea: z.number().int().positive(),
    venuesPerArea: z.number().int().positive(),
    termsPerArea: z.number().int().positive(),
    sharedTerms: z.number().int().nonnegative(),
    authorsPerPaper: range,
    termsPerPaper: range,
    venueInArea: probability,
    authorInArea: probability,
    termInArea: probability,
  }),
  interactionLog: z.object({
    name: z.string(),
    users: z.number().int().positive(),
    genres: z.number().int().positive(),
    seriesPerGenre: z.number().int().positive(),
    seriesLength: range,
    sessionLength: range,
    followSeries: probability,
    stayInGenre: probability,
    popularityExponent: z.number().nonnegative(),
  }),
  digits: z.object({
    name: z.string(),
    imagesPerClass: z.number().int().positive(),
    size: z.number().int().min(8),
  }),
  motion: z.object({
    name: z.string(),
    clipsPerDirection: z.number().int().positive(),
    frames: z.number().int().min(2),
    size: z.number().int().min(8),
    glyphSize: z.number().int().min(4),
  }),
});
export type DemoSpec = z.infer<typeof DemoSpec>;

export const demoSpecFile = new URL('../../resources/demo/demo.json', import.meta.url);

export function readDemoSpec(): DemoSpec {
  return DemoSpec.parse(JSON.parse(readFileSync(demoSpecFile, 'utf8')));
}
