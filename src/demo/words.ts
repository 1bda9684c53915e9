import type { Random } from './random.ts';

/** Common words of each research area, the most frequent terms of its papers (the rest are invented). */
export const areaWords: Record<string, readonly string[]> = {
  Databases: [
    'query',
    'transaction',
    'index',
    'relational',
    'storage',
    'schema',
    'join',
    'sql',
    'concurrency',
    'recovery',
    'view',
    'optimizer',
  ],
  'Data Mining': [
    'pattern',
    'frequent',
    'clustering',
    'association',
    'outlier',
    'itemset',
    'stream',
    'mining',
    'rule',
    'sequential',
    'subgraph',
    'anomaly',
  ],
  'Machine Learning': [
    'learning',
    'kernel',
    'bayesian',
    'classifier',
    'regression',
    'reinforcement',
    'gradient',
    'neural',
    'inference',
    'margin',
    'boosting',
    'latent',
  ],
  'Information Retrieval': [
    'retrieval',
    'ranking',
    'search',
    'relevance',
    'document',
    'web',
    'feedback',
    'query-log',
    'snippet',
    'recommendation',
    'click',
    'indexing',
  ],
};

export const sharedWords = [
  'efficient',
  'scalable',
  'novel',
  'approach',
  'framework',
  'analysis',
  'evaluation',
  'system',
  'model',
  'large-scale',
  'method',
  'towards',
];

const onsets = [
  'b',
  'c',
  'd',
  'f',
  'g',
  'k',
  'l',
  'm',
  'n',
  'p',
  'r',
  's',
  't',
  'v',
  'z',
  'br',
  'st',
  'tr',
  'pl',
  'gr',
];
const vowels = ['a', 'e', 'i', 'o', 'u', 'ai', 'io'];

/** A pronounceable invented word, unique within `taken`. */
export function inventWord(random: Random, taken: Set<string>): string {
  for (;;) {
    let word = '';
    const syllables = random.between(2, 3);
    for (let s = 0; s < syllables; s++) word += random.pick(onsets) + random.pick(vowels);
    if (random.chance(0.5)) word += random.pick(['n', 'r', 's', 'x', 'm']);
    if (!taken.has(word)) {
      taken.add(word);
      return word;
    }
  }
}

const firstNames = [
  'Ada',
  'Bo',
  'Chen',
  'Dana',
  'Emil',
  'Fatima',
  'Goran',
  'Hana',
  'Ivan',
  'Jia',
  'Kofi',
  'Lena',
  'Mateo',
  'Nadia',
  'Omar',
  'Priya',
  'Quinn',
  'Rosa',
  'Sven',
  'Tomoko',
  'Uma',
  'Viktor',
  'Wei',
  'Xavier',
  'Yara',
  'Zeno',
];
const lastNames = [
  'Abe',
  'Berg',
  'Costa',
  'Dubois',
  'Eriksen',
  'Fischer',
  'Garcia',
  'Haddad',
  'Ito',
  'Jensen',
  'Kowalski',
  'Li',
  'Moreau',
  'Novak',
  'Okafor',
  'Petrov',
  'Quispe',
  'Rossi',
  'Singh',
  'Tanaka',
  'Ueda',
  'Varga',
  'Wang',
  'Yilmaz',
  'Zhou',
];

export function personName(random: Random): string {
  return `${random.pick(firstNames)} ${random.pick(lastNames)}`;
}
