// The explorer tests' workspace: 400 papers in four topics whose vectors are four planted blobs
// (label "<topic> paper <i>", class "field<blob>"), p0 citing p1..p5, and one run holding the vectors.
import { clusteredVectors } from '../../src/analysis/clustered-vectors.ts';
import { openWorkspace } from '../../src/workspace/workspace.ts';

export const topics = ['graph neural', 'protein folding', 'image segmentation', 'speech recognition'];
export const paperCount = 400;

export type Papers = ReturnType<typeof clusteredVectors> & { run: number; otherRun?: number };

/**
 * Writes the workspace file at path; returns the vectors (row i is paper p<i>) and the run's id.
 * With otherRun, a second, newer run of the same papers: other vectors, the same topic per paper.
 */
export function makePapersWorkspace(path: string, options: { otherRun?: boolean } = {}): Papers {
  const fixture = clusteredVectors(paperCount, 16, 4, 3);
  const ws = openWorkspace(path);
  try {
    const session = ws.beginImport({
      name: 'papers',
      kind: 'network',
      source: { format: 'test', paths: [] },
    });
    session.addEntities(
      'paper',
      Array.from(fixture.blobs, (b, i) => ({
        key: `p${i}`,
        label: `${topics[b]} paper ${i}`,
        classLabel: `field${b}`,
      })),
    );
    session.relationType('cites', 'paper', 'paper');
    // p0 cites p1..p5: degrees 5, then 1 each, the rest 0
    session.addRelations('cites', [0, 0, 0, 0, 0], [1, 2, 3, 4, 5]);
    const dataset = session.commit();
    const ids = ws.entities.ids(ws.entities.type(dataset.id, 'paper')!.id);
    const runWith = (seed: number, vectors: Float32Array) => {
      const run = ws.runs.create({
        datasetId: dataset.id,
        model: 'metapath2vec',
        config: {},
        seed,
        device: 'cpu',
        codeVersion: 'test',
      });
      ws.embeddings.put(run.id, { entityIds: ids, dim: fixture.dim, vectors });
      return run.id;
    };
    const run = runWith(0, fixture.vectors);
    // clusteredVectors puts row r in blob r % 4 whatever the seed: the same topics, other places
    const otherRun = options.otherRun
      ? runWith(1, clusteredVectors(paperCount, 16, 4, 11).vectors)
      : undefined;
    return { ...fixture, run, otherRun };
  } finally {
    ws.close();
  }
}
