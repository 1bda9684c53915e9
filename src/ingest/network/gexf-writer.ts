import { writeFileAtomic } from '../export/atomic-file.ts';
import { defaultNodeType, gexfAttributes } from './gexf.ts';

/** Text goes to the file in pieces of about this many characters: a large network never sits in memory as text. */
const CHUNK_CHARS = 1 << 20;

/** A node to write: an entity of the network. */
export interface GexfNode {
  type: string;
  key: string;
  label?: string | null;
  classLabel?: string | null;
  attributes?: Record<string, unknown> | null;
}

/** An edge to write: a relation between two entities given by type and key. */
export interface GexfEdge {
  relation: string;
  sourceType: string;
  sourceKey: string;
  targetType: string;
  targetKey: string;
  weight?: number | null;
  time?: number | null;
}

export interface GexfNetwork {
  /** titles of the node attributes found in `attributes` (declared up front, as GEXF requires) */
  nodeAttributes: readonly string[];
  nodes: Iterable<GexfNode> | AsyncIterable<GexfNode>;
  edges: Iterable<GexfEdge> | AsyncIterable<GexfEdge>;
}

const escapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

// control characters XML 1.0 cannot hold at all (all below U+0020 but tab, LF and CR)
const forbidden = new RegExp(
  `[${String.fromCharCode(0)}-${String.fromCharCode(8)}\v\f${String.fromCharCode(14)}-${String.fromCharCode(31)}]`,
  'g',
);

function xml(text: string): string {
  // dropped rather than written as a file no XML reader accepts
  return text.replace(/[&<>"']/g, (c) => escapes[c]).replace(forbidden, '');
}

function nodeId(type: string, key: string): string {
  return `${type}:${key}`;
}

/**
 * Writes a network as GEXF 1.3 for Gephi: node ids are `type:key` (unique across types), with
 * `type`, `key` and `class` attributes; each edge's relation type is its `kind` and `relation`
 * attribute. Streamed in pieces and written atomically: a reader (or a crash) sees the old file or
 * the whole new one.
 */
export async function writeGexf(
  path: string,
  network: GexfNetwork,
): Promise<{ nodes: number; edges: number }> {
  let counts = { nodes: 0, edges: 0 };
  await writeFileAtomic(path, async (file) => {
    let chunk = '';
    counts = await writeDocument(network, async (text) => {
      chunk += text;
      if (chunk.length >= CHUNK_CHARS) {
        await file.write(chunk);
        chunk = '';
      }
    });
    if (chunk.length > 0) await file.write(chunk);
  });
  return counts;
}

/** The same document as text, for networks small enough to hand over whole (what a view shows). */
export async function gexfText(
  network: GexfNetwork,
): Promise<{ text: string; nodes: number; edges: number }> {
  const parts: string[] = [];
  const counts = await writeDocument(network, async (text) => {
    parts.push(text);
  });
  return { text: parts.join(''), ...counts };
}

async function writeDocument(
  network: GexfNetwork,
  write: (text: string) => Promise<void>,
): Promise<{ nodes: number; edges: number }> {
  const reserved = Object.values(gexfAttributes) as string[];
  const extra = network.nodeAttributes.filter((a) => !reserved.includes(a));
  const extraIds = new Map(extra.map((title, i) => [title, `a${i}`]));
  let nodes = 0;
  let edges = 0;
  await write('<?xml version="1.0" encoding="UTF-8"?>\n');
  await write('<gexf xmlns="http://gexf.net/1.3" version="1.3">\n');
  await write('  <meta><creator>Constellation</creator></meta>\n');
  await write('  <graph defaultedgetype="directed" idtype="string">\n');
  // extra attributes are written as strings (objects as JSON): Gephi needs each declared before the nodes
  await write('    <attributes class="node">\n');
  await write(
    `      <attribute id="${gexfAttributes.type}" title="${gexfAttributes.type}" type="string"/>\n`,
  );
  await write(`      <attribute id="${gexfAttributes.key}" title="${gexfAttributes.key}" type="string"/>\n`);
  await write(
    `      <attribute id="${gexfAttributes.class}" title="${gexfAttributes.class}" type="string"/>\n`,
  );
  for (const title of extra)
    await write(`      <attribute id="${extraIds.get(title)}" title="${xml(title)}" type="string"/>\n`);
  await write('    </attributes>\n');
  await write('    <attributes class="edge">\n');
  await write(
    `      <attribute id="${gexfAttributes.relation}" title="${gexfAttributes.relation}" type="string"/>\n`,
  );
  await write(
    `      <attribute id="${gexfAttributes.time}" title="${gexfAttributes.time}" type="double"/>\n`,
  );
  await write('    </attributes>\n');
  await write('    <nodes>\n');
  for await (const n of network.nodes) {
    const label = n.label == null ? '' : ` label="${xml(n.label)}"`;
    let values = `<attvalue for="${gexfAttributes.type}" value="${xml(n.type || defaultNodeType)}"/><attvalue for="${gexfAttributes.key}" value="${xml(n.key)}"/>`;
    if (n.classLabel != null)
      values += `<attvalue for="${gexfAttributes.class}" value="${xml(n.classLabel)}"/>`;
    for (const [title, value] of Object.entries(n.attributes ?? {})) {
      const id = extraIds.get(title);
      if (id === undefined || value === null || value === undefined) continue;
      values += `<attvalue for="${id}" value="${xml(typeof value === 'string' ? value : JSON.stringify(value))}"/>`;
    }
    await write(
      `      <node id="${xml(nodeId(n.type, n.key))}"${label}><attvalues>${values}</attvalues></node>\n`,
    );
    nodes++;
  }
  await write('    </nodes>\n    <edges>\n');
  for await (const e of network.edges) {
    const weight = e.weight != null && Number.isFinite(e.weight) ? ` weight="${e.weight}"` : '';
    const time =
      e.time != null && Number.isFinite(e.time)
        ? `<attvalue for="${gexfAttributes.time}" value="${e.time}"/>`
        : '';
    await write(
      `      <edge id="${edges}" source="${xml(nodeId(e.sourceType, e.sourceKey))}" target="${xml(nodeId(e.targetType, e.targetKey))}" kind="${xml(e.relation)}"${weight}><attvalues><attvalue for="${gexfAttributes.relation}" value="${xml(e.relation)}"/>${time}</attvalues></edge>\n`,
    );
    edges++;
  }
  await write('    </edges>\n  </graph>\n</gexf>\n');
  return { nodes, edges };
}
