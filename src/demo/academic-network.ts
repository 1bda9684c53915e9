// A heterogeneous academic network with planted research areas: every author, paper, venue and
// (most) terms belong to one area, and papers mostly gather authors, a venue and terms of their
// own area. Author labels are the ground truth for node classification and clustering.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Random, ZipfSampler } from './random.ts';
import type { DemoSpec } from './spec.ts';
import { areaWords, inventWord, personName, sharedWords } from './words.ts';

type Spec = DemoSpec['academicNetwork'];

export interface Author {
  id: number;
  name: string;
  area: number;
}
export interface Venue {
  id: number;
  name: string;
  area: number;
}
export interface Term {
  id: number;
  word: string;
  /** null for words every area uses */
  area: number | null;
}
export interface Paper {
  id: number;
  title: string;
  area: number;
  venue: number;
  authors: number[];
  terms: number[];
}
export interface AcademicNetwork {
  areas: string[];
  authors: Author[];
  papers: Paper[];
  venues: Venue[];
  terms: Term[];
}

export function generateAcademicNetwork(spec: Spec, seed: number): AcademicNetwork {
  const random = Random.forPart(seed, 'academic network');
  const areas = spec.areas;
  const authors: Author[] = [];
  const venues: Venue[] = [];
  const terms: Term[] = [];
  const taken = new Set<string>();

  const authorsByArea = areas.map((_, area) =>
    Array.from({ length: spec.authorsPerArea }, () => {
      const author = { id: authors.length + 1, name: personName(random), area };
      authors.push(author);
      return author.id;
    }),
  );
  const venuesByArea = areas.map((name, area) =>
    Array.from({ length: spec.venuesPerArea }, (_, k) => {
      const venue = { id: venues.length + 1, name: `${acronym(name)}-${k + 1}`, area };
      venues.push(venue);
      return venue.id;
    }),
  );
  const addTerm = (word: string, area: number | null) => {
    taken.add(word);
    terms.push({ id: terms.length + 1, word, area });
    return terms.length;
  };
  const termsByArea = areas.map((name, area) => {
    const known = (areaWords[name] ?? []).slice(0, spec.termsPerArea).map((word) => addTerm(word, area));
    while (known.length < spec.termsPerArea) known.push(addTerm(inventWord(random, taken), area));
    return known;
  });
  const shared = sharedWords.slice(0, spec.sharedTerms).map((word) => addTerm(word, null));
  while (shared.length < spec.sharedTerms) shared.push(addTerm(inventWord(random, taken), null));

  // Popularity: a few prolific authors and frequent terms per area, as in real bibliographies.
  const authorRank = new ZipfSampler(spec.authorsPerArea, 0.8);
  const termRank = new ZipfSampler(spec.termsPerArea, 1);
  const sharedRank = new ZipfSampler(Math.max(1, spec.sharedTerms), 1);

  const papers: Paper[] = [];
  for (let area = 0; area < areas.length; area++) {
    for (let k = 0; k < spec.papersPerArea; k++) {
      const venueArea = random.chance(spec.venueInArea) ? area : otherArea(random, areas.length, area);
      const paperAuthors = new Set<number>();
      // The first papers of an area cycle through its authors, so nobody is left without a paper.
      if (k < spec.authorsPerArea) paperAuthors.add(authorsByArea[area][k]);
      const authorCount = random.between(spec.authorsPerPaper[0], spec.authorsPerPaper[1]);
      while (paperAuthors.size < authorCount) {
        const from = random.chance(spec.authorInArea) ? area : otherArea(random, areas.length, area);
        paperAuthors.add(authorsByArea[from][authorRank.sample(random)]);
      }
      const paperTerms = new Set<number>();
      const termCount = random.between(spec.termsPerPaper[0], spec.termsPerPaper[1]);
      while (paperTerms.size < termCount) {
        if (random.chance(spec.termInArea)) paperTerms.add(termsByArea[area][termRank.sample(random)]);
        else if (shared.length > 0 && random.chance(0.7)) paperTerms.add(shared[sharedRank.sample(random)]);
        else paperTerms.add(termsByArea[otherArea(random, areas.length, area)][termRank.sample(random)]);
      }
      const termIds = [...paperTerms];
      papers.push({
        id: papers.length + 1,
        title: title(termIds.map((id) => terms[id - 1].word)),
        area,
        venue: random.pick(venuesByArea[venueArea]),
        authors: [...paperAuthors],
        terms: termIds,
      });
    }
  }
  return { areas, authors, papers, venues, terms };
}

function otherArea(random: Random, areas: number, not: number): number {
  const pick = random.int(areas - 1);
  return pick >= not ? pick + 1 : pick;
}

function acronym(area: string): string {
  return area
    .split(/\s+/)
    .map((word) => word[0].toUpperCase())
    .join('');
}

function title(words: string[]): string {
  const text = words.join(' ');
  return `${text[0].toUpperCase()}${text.slice(1)}.`;
}

/**
 * Writes the network in the DBLP four-area layout (the files of Ji et al. 2010 as used by
 * metapath2vec and HAN), so the demo goes through the same importer as the real dataset.
 */
export async function writeFourAreaLayout(network: AcademicNetwork, dir: string): Promise<void> {
  const lines = (rows: string[]) => `${rows.join('\n')}\n`;
  const files: Record<string, string[]> = {
    'author.txt': network.authors.map((a) => `${a.id}\t${a.name}`),
    'author_label.txt': network.authors.map((a) => `${a.id}\t${a.area}\t${a.name}`),
    'paper.txt': network.papers.map((p) => `${p.id}\t${p.title}`),
    'paper_label.txt': network.papers.map((p) => `${p.id}\t${p.area}\t${p.title}`),
    'conf.txt': network.venues.map((v) => `${v.id}\t${v.name}`),
    'conf_label.txt': network.venues.map((v) => `${v.id}\t${v.area}\t${v.name}\t`),
    'term.txt': network.terms.map((t) => `${t.id}\t${t.word}`),
    'paper_author.txt': network.papers.flatMap((p) => p.authors.map((a) => `${p.id}\t${a}`)),
    'paper_conf.txt': network.papers.map((p) => `${p.id}\t${p.venue}`),
    'paper_term.txt': network.papers.flatMap((p) => p.terms.map((t) => `${p.id}\t${t}`)),
  };
  for (const [file, rows] of Object.entries(files)) await writeFile(join(dir, file), lines(rows));
}
