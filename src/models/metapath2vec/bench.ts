// `constellation bench metapath2vec`: walk and skip-gram throughput on a generated academic
// network with about a million relations (authors-papers-venues, power-law degrees), and gensim's
// Word2Vec on the identical corpus when Debian's python3-gensim is installed.
//
// Pairs are counted the same way for both: every (center, context) pair with the context within
// `window` positions of the center in the same walk, no window shrinking (pairsInCorpus; gensim
// runs with shrink_windows=False, sample=0, min_count=1, so it trains exactly these pairs). Both
// sides are timed over their train call only: ours includes thread start and table set-up.
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildNetwork } from '../../network/heterogeneous-network.ts';
import { parseMetaPath } from '../../network/meta-path.ts';
import { WalkPool } from '../../network/walk-pool.ts';
import { compileScheme, totalWalks } from '../../network/walks.ts';
import { trainSkipGramCpu } from './skipgram-cpu.ts';
import type { SkipGramCorpus } from './types.ts';
import { pairsInCorpus } from './types.ts';
import { buildVocabulary, toTokens } from './walk-corpus.ts';

export interface Metapath2vecBenchOptions {
  /** relations of the generated network, approximately (default 1,000,000) */
  relations?: number;
  walksPerNode?: number;
  walkLength?: number;
  dim?: number;
  window?: number;
  negatives?: number;
  threads?: number;
  seed?: number;
  /** run gensim on the same corpus (default true; skipped with a note when it is not installed) */
  gensim?: boolean;
  python?: string;
}

export interface Metapath2vecBenchResult {
  walk_tokens_per_s: number;
  pairs_per_s: number;
  threads: number;
  relations: number;
  nodes: number;
  walks: number;
  corpus_tokens: number;
  pairs: number;
  dim: number;
  window: number;
  negatives: number;
  skipgram_seconds: number;
  /** pairs per CPU second of the whole process (all threads): steadier than wall time on a shared machine */
  pairs_per_cpu_s: number;
  /** gensim Word2Vec on the identical corpus, its faster input mode */
  gensim_pairs_per_s?: number;
  gensim_pairs_per_cpu_s?: number;
  gensim?: {
    version: string;
    corpus_file_pairs_per_s: number;
    corpus_file_pairs_per_cpu_s: number;
    sentences_pairs_per_s: number;
    sentences_pairs_per_cpu_s: number;
  };
  gensim_note?: string;
  /** 1-minute load average before and after: the machine is shared */
  load_average: [number, number];
}

const GENSIM_SCRIPT = fileURLToPath(new URL('./bench-gensim.py', import.meta.url));

export async function benchMetapath2vec(
  options: Metapath2vecBenchOptions = {},
): Promise<Metapath2vecBenchResult> {
  // Each paper has 1-5 authors (3 on average) and one venue: about 4 relations a paper.
  const papers = Math.max(1, Math.round((options.relations ?? 1_000_000) / 4));
  const walksPerNode = options.walksPerNode ?? 1;
  const walkLength = options.walkLength ?? 30;
  const dim = options.dim ?? 128;
  const window = options.window ?? 5;
  const negatives = options.negatives ?? 5;
  const threads = options.threads ?? 2;
  const seed = options.seed ?? 1;
  const loadBefore = loadavg()[0];

  const network = academicNetwork(papers, seed);
  const scheme = compileScheme(network, parseMetaPath('author-paper-venue-paper-author', network.schema));
  const plan = { schemes: [scheme], walksPerNode, walkLength, seed };
  const pool = new WalkPool(network, plan, threads);
  const walkStart = performance.now();
  const batch = await pool.generate(0, totalWalks(network, plan));
  const walkSeconds = (performance.now() - walkStart) / 1000;
  await pool.close();

  const counts = new Float64Array(network.nodeType.length);
  for (const node of batch.tokens) counts[node]++;
  const vocab = buildVocabulary(network, counts, 1);
  const corpus = toTokens(batch, vocab.tokenOf);
  const config = { dim, window, negatives, epochs: 1, lr: 0.025, seed, threads, variant: 'plain' as const };
  const cpuBefore = process.cpuUsage();
  const trained = await trainSkipGramCpu(corpus, vocab, config);
  const cpu = process.cpuUsage(cpuBefore);

  const result: Metapath2vecBenchResult = {
    walk_tokens_per_s: batch.tokens.length / walkSeconds,
    pairs_per_s: trained.pairs / trained.seconds,
    threads,
    relations: network.schema.relations.reduce((n, r) => n + r.count, 0),
    nodes: network.nodeType.length,
    walks: corpus.offsets.length - 1,
    corpus_tokens: corpus.tokens.length,
    pairs: trained.pairs,
    dim,
    window,
    negatives,
    skipgram_seconds: trained.seconds,
    pairs_per_cpu_s: trained.pairs / ((cpu.user + cpu.system) / 1e6),
    load_average: [loadBefore, 0],
  };
  if (options.gensim ?? true) Object.assign(result, await runGensim(corpus, result, options.python));
  result.load_average[1] = loadavg()[0];
  return result;
}

/** gensim on the same corpus written as text; a note instead when python3-gensim is missing. */
async function runGensim(
  corpus: SkipGramCorpus,
  r: Metapath2vecBenchResult,
  python = '/usr/bin/python3',
): Promise<
  Pick<Metapath2vecBenchResult, 'gensim_pairs_per_s' | 'gensim_pairs_per_cpu_s' | 'gensim' | 'gensim_note'>
> {
  const probe = existsSync(python) ? spawnSync(python, ['-c', 'import gensim'], { encoding: 'utf8' }) : null;
  if (probe?.status !== 0) {
    return {
      gensim_note: `gensim comparison skipped: ${python} cannot import gensim (apt-get install -y python3-gensim)`,
    };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'constellation-bench-m2v-'));
  try {
    const file = path.join(dir, 'walks.txt');
    await writeCorpusText(corpus, file);
    const run = spawnSync(
      python,
      [GENSIM_SCRIPT, file, String(r.dim), String(r.window), String(r.negatives), String(r.threads)],
      { encoding: 'utf8', maxBuffer: 1 << 24 },
    );
    if (run.status !== 0) return { gensim_note: `gensim failed: ${run.stderr.trim().split('\n').at(-1)}` };
    const out = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
      gensim_version: string;
      corpus_file_seconds: number;
      corpus_file_cpu_seconds: number;
      sentences_seconds: number;
      sentences_cpu_seconds: number;
    };
    const pairs = pairsInCorpus(corpus, r.window);
    const gensim = {
      version: out.gensim_version,
      corpus_file_pairs_per_s: pairs / out.corpus_file_seconds,
      corpus_file_pairs_per_cpu_s: pairs / out.corpus_file_cpu_seconds,
      sentences_pairs_per_s: pairs / out.sentences_seconds,
      sentences_pairs_per_cpu_s: pairs / out.sentences_cpu_seconds,
    };
    return {
      gensim,
      gensim_pairs_per_s: Math.max(gensim.corpus_file_pairs_per_s, gensim.sentences_pairs_per_s),
      gensim_pairs_per_cpu_s: Math.max(gensim.corpus_file_pairs_per_cpu_s, gensim.sentences_pairs_per_cpu_s),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One walk a line, tokens as `t<id>` separated by spaces (gensim's LineSentence format). */
async function writeCorpusText(corpus: SkipGramCorpus, file: string): Promise<void> {
  const out = createWriteStream(file);
  for (let w = 0; w + 1 < corpus.offsets.length; w++) {
    const words: string[] = [];
    for (let i = corpus.offsets[w]; i < corpus.offsets[w + 1]; i++) words.push(`t${corpus.tokens[i]}`);
    if (!out.write(`${words.join(' ')}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/**
 * Authors, papers and venues: each paper has 1-5 authors and one venue, drawn with power-law
 * popularity (log-uniform ranks, density ~ 1/rank), so degrees are heavy-tailed as in DBLP.
 */
function academicNetwork(papers: number, seed: number) {
  const authors = Math.round(papers * 0.4);
  const venues = Math.max(10, Math.round(papers / 250));
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const powerLaw = (n: number) => Math.min(n - 1, Math.floor(Math.exp(next() * Math.log(n + 1))) - 1);
  const writesPaper: number[] = [];
  const writesAuthor: number[] = [];
  const venueOf = new Int32Array(papers);
  for (let p = 0; p < papers; p++) {
    venueOf[p] = powerLaw(venues);
    const k = 1 + Math.floor(next() * 5);
    for (let a = 0; a < k; a++) {
      writesPaper.push(p);
      writesAuthor.push(powerLaw(authors));
    }
  }
  return buildNetwork(
    [
      { name: 'author', count: authors },
      { name: 'paper', count: papers },
      { name: 'venue', count: venues },
    ],
    [
      {
        name: 'writes',
        sourceType: 'author',
        targetType: 'paper',
        source: Int32Array.from(writesAuthor),
        target: Int32Array.from(writesPaper),
      },
      {
        name: 'published_in',
        sourceType: 'paper',
        targetType: 'venue',
        source: Int32Array.from({ length: papers }, (_, p) => p),
        target: venueOf,
      },
    ],
  );
}
