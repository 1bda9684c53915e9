// The explorer tests' workspace: 400 papers in four topics whose vectors are four planted blobs
// (label "<topic> paper <i>", class "field<blob>"), p0 citing p1..p5, and one run holding the vectors.
import { clusteredVectors } from '../../src/analysis/clustered-vectors.ts';
import { openWorkspace } from '../../src/workspace/workspace.ts';

export const topics = ['graph neural', 'protein folding', 'image segmentation', 'speech recognition'];
export const paperCount = 400;

export type Papers = ReturnType<typeof clusteredVectors> & { run: number };

/** Writes the workspace file at path; returns the vectors (row i is paper p<i>) and the run's id. */
export function makePapersWorkspace(path: string): Papers {
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
    const run = ws.runs.create({
      datasetId: dataset.id,
      model: 'metapath2vec',
      config: {},
      seed: 0,
      device: 'cpu',
      codeVersion: 'test',
    });
    const ids = ws.entities.ids(ws.entities.type(dataset.id, 'paper')!.id);
    ws.embeddings.put(run.id, { entityIds: ids, dim: fixture.dim, vectors: fixture.vectors });
    return { ...fixture, run: run.id };
  } finally {
    ws.close();
  }
}
