// Exploring a run's embeddings: 2-D projections, clusterings of the original vectors, nearest
// neighbours and what each cluster is about. Projections and clusterings are stored with the run
// and looked up by (method, parameters) before anything is computed again.
import { z } from 'zod';

const RunId = z.number().int().positive();
const Seed = z.number().int().nonnegative().default(0);

export const UmapSettings = z.object({
  neighbours: z.number().int().min(2).max(200).default(15),
  minDist: z.number().min(0).max(1).default(0.1),
  metric: z.enum(['cosine', 'euclidean']).default('cosine'),
  /** optimisation epochs; 200 above 10k points and 500 below when absent (umap-learn's rule) */
  epochs: z.number().int().min(1).max(5000).optional(),
  seed: Seed,
  /** threads for the neighbour index and the layout, all cores when absent; only 1 repeats exactly from the seed */
  threads: z.number().int().min(1).max(256).optional(),
});

export const TsneSettings = z.object({
  perplexity: z.number().min(2).max(100).default(30),
  iterations: z.number().int().min(10).max(5000).default(500),
  metric: z.enum(['cosine', 'euclidean']).default('cosine'),
  seed: Seed,
});

export const ProjectionRequest = z.discriminatedUnion('method', [
  z.object({ run: RunId, method: z.literal('pca'), params: z.strictObject({}).prefault({}) }),
  z.object({ run: RunId, method: z.literal('umap'), params: UmapSettings.strict().prefault({}) }),
  z.object({ run: RunId, method: z.literal('tsne'), params: TsneSettings.strict().prefault({}) }),
]);

export const ClusteringRequest = z.discriminatedUnion('method', [
  z.object({
    run: RunId,
    method: z.literal('kmeans'),
    /** k suggested by the best silhouette of k = 2..15 on a 2,000-point sample when absent */
    params: z.strictObject({ k: z.number().int().min(1).max(10_000).optional(), seed: Seed }).prefault({}),
  }),
  z.object({
    run: RunId,
    method: z.literal('louvain'),
    params: z
      .strictObject({
        neighbours: z.number().int().min(2).max(200).default(15),
        resolution: z.number().positive().max(100).default(1),
        seed: Seed,
      })
      .prefault({}),
  }),
  z.object({
    run: RunId,
    method: z.literal('hdbscan'),
    params: z
      .strictObject({
        minClusterSize: z.number().int().min(2).default(15),
        minSamples: z.number().int().min(1).max(200).default(5),
        neighbours: z.number().int().min(2).max(200).default(15),
      })
      .prefault({}),
  }),
]);

export const AnalysisInfo = z.object({
  id: z.number().int(),
  run: z.number().int(),
  method: z.string(),
  params: z.record(z.string(), z.unknown()),
  created_at: z.string(),
});

export const AnalysisProgress = z.object({
  stage: z.enum(['neighbours', 'layout', 'clustering', 'storing']),
  done: z.number(),
  total: z.number(),
});

const Entity = { key: z.string(), type: z.string(), label: z.string().nullable() };

const ValueShare = z.object({
  value: z.string(),
  count: z.number().int(),
  share: z.number(),
  overall: z.number(),
});

export const analysisCommands = {
  'analyses.list': {
    description: 'The projections and clusterings stored with a run',
    input: z.object({ run: RunId }),
    output: z.object({ projections: z.array(AnalysisInfo), clusterings: z.array(AnalysisInfo) }),
    progress: z.never(),
  },
  'projection.compute': {
    description:
      "A 2-D projection (PCA, UMAP, t-SNE) of a run's embeddings, stored with the run; the stored one when the same method and parameters ran before",
    input: ProjectionRequest,
    output: z.object({
      projection: AnalysisInfo,
      cached: z.boolean(),
      points: z.number().int(),
      seconds: z.number(),
    }),
    progress: AnalysisProgress,
  },
  'projection.get': {
    description: "A stored projection's points with who each one is, a page at a time in entity id order",
    input: z.object({
      id: z.number().int().positive(),
      offset: z.number().int().nonnegative().default(0),
      limit: z.number().int().min(1).max(1_000_000).default(100_000),
    }),
    output: AnalysisInfo.extend({
      total: z.number().int(),
      offset: z.number().int(),
      entity_ids: z.array(z.number().int()),
      keys: z.array(z.string()),
      types: z.array(z.string()),
      labels: z.array(z.string().nullable()),
      classes: z.array(z.string().nullable()),
      x: z.array(z.number()),
      y: z.array(z.number()),
      /** relations touching each entity: its degree, or for an interaction log its interactions */
      degrees: z.array(z.number().int()),
    }),
    progress: z.never(),
  },
  'clustering.compute': {
    description:
      "Clusters of a run's original vectors (k-means, Louvain on the kNN graph, HDBSCAN), stored with the run; the stored one when the same method and parameters ran before",
    input: ClusteringRequest,
    output: z.object({
      clustering: AnalysisInfo,
      cached: z.boolean(),
      /** what was chosen for the user: k-means' suggested k, the number of clusters, HDBSCAN's noise */
      chosen: z.record(z.string(), z.number()),
      seconds: z.number(),
    }),
    progress: AnalysisProgress,
  },
  'clustering.get': {
    description: "A stored clustering: each entity's cluster (-1: HDBSCAN's noise), in entity id order",
    input: z.object({ id: z.number().int().positive() }),
    output: AnalysisInfo.extend({
      entity_ids: z.array(z.number().int()),
      clusters: z.array(z.number().int()),
    }),
    progress: z.never(),
  },
  'clusters.describe': {
    description:
      "What each cluster of a stored clustering is about: its members' most common class labels and types, and its top words by c-TF-IDF over their names",
    input: z.object({ id: z.number().int().positive(), top: z.number().int().min(1).max(50).default(5) }),
    output: z.object({
      clustering: z.number().int(),
      clusters: z.array(
        z.object({
          cluster: z.number().int(),
          size: z.number().int(),
          classes: z.array(ValueShare),
          types: z.array(ValueShare),
          terms: z.array(z.object({ term: z.string(), weight: z.number() })),
        }),
      ),
    }),
    progress: z.never(),
  },
  'neighbours.query': {
    description: "The k entities nearest to one entity in a run's original space, by cosine or dot product",
    input: z.object({
      run: RunId,
      entity: z.string().min(1),
      /** the entity's type, needed when its key exists in several types */
      entityType: z.string().min(1).optional(),
      k: z.number().int().min(1).max(1000).default(10),
      metric: z.enum(['cosine', 'dot']).default('cosine'),
    }),
    output: z.object({
      run: z.number().int(),
      entity: z.object(Entity),
      neighbours: z.array(z.object({ ...Entity, entity_id: z.number().int(), similarity: z.number() })),
    }),
    progress: z.never(),
  },
  'bench.projection': {
    description: 'Seconds for PCA and UMAP of generated clustered vectors (seeded), per size',
    input: z.object({
      sizes: z.array(z.number().int().min(100)).min(1).default([10_000, 100_000]),
      dim: z.number().int().min(2).max(4096).default(64),
      methods: z
        .array(z.enum(['pca', 'umap']))
        .min(1)
        .default(['pca', 'umap']),
    }),
    output: z.object({
      rows: z.array(
        z.object({
          method: z.string(),
          n: z.number().int(),
          dim: z.number().int(),
          seconds: z.number(),
          /** CPU time of all threads: steadier than seconds on a machine shared with other work */
          cpu_seconds: z.number(),
          /** UMAP: neighbour index, fuzzy set and start, then the layout epochs */
          graph_seconds: z.number().optional(),
          layout_seconds: z.number().optional(),
        }),
      ),
      /** the machine's 1, 5 and 15 minute load averages when the benchmark ended */
      load_average: z.array(z.number()),
      cores: z.number().int(),
    }),
    progress: AnalysisProgress,
  },
} as const;
