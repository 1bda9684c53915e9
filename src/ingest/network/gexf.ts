import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { z } from 'zod';
import { parseOptions } from '../options.ts';
import { extension } from '../read/files.ts';
import { openInput } from '../read/input.ts';
import { ImportMeter } from '../read/progress.ts';
import { ImportCancelled, type Importer, InputError } from '../types.ts';
import { NetworkBuilder } from './network-builder.ts';

/**
 * Conventions shared by the GEXF reader and writer (gexf-writer.ts), so networks go to Gephi and
 * back unchanged: the node attribute `type` is the entity type, `class` the class label and `key`
 * the entity key (when absent, the node id is the key); an edge's `kind` (GEXF 1.3) or its
 * `relation` attribute is the relation type, `weight` its weight and the `time` attribute its time.
 */
export const gexfAttributes = {
  type: 'type',
  class: 'class',
  key: 'key',
  relation: 'relation',
  time: 'time',
} as const;
export const defaultNodeType = 'node';

const gexfOptions = z.object({});

interface AttributeDef {
  title: string;
  type: string;
}

function typedValue(def: AttributeDef | undefined, value: string): unknown {
  switch (def?.type) {
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
    case 'short':
    case 'byte': {
      const n = Number(value);
      return Number.isFinite(n) ? n : value;
    }
    case 'boolean':
      return value === 'true';
    default:
      return value;
  }
}

interface OpenNode {
  id: string;
  label: string | null;
  values: Record<string, unknown>;
  line: number;
}

interface OpenEdge {
  source: string;
  target: string;
  kind: string | null;
  weight: number;
  values: Record<string, unknown>;
  line: number;
}

/** GEXF 1.2/1.3 (Gephi): nodes with attributes and types, edges with kinds and weights. Streamed with saxes. */
export const gexfNetwork: Importer = {
  format: 'gexf',
  kind: 'network',
  description: 'GEXF 1.2/1.3 (Gephi): node/edge attributes, node types from the "type" attribute, edge kinds',
  async detect(paths) {
    return paths.length === 1 && extension(paths[0]) === 'gexf';
  },
  async run(paths, ctx) {
    parseOptions('gexf', gexfOptions, ctx.options);
    if (paths.length !== 1) throw new InputError(paths.join(', '), null, null, 'expected one .gexf file');
    const file = paths[0];
    const input = await openInput(file);
    const meter = new ImportMeter(input.size, ctx.progress, ctx.signal);
    const network = new NetworkBuilder(ctx.session);
    const parser = new SaxesParser({ xmlns: false, position: true });
    const defs: Record<'node' | 'edge', Map<string, AttributeDef>> = { node: new Map(), edge: new Map() };
    const nodes = new Map<string, { type: string; id: number }>();
    let attributeClass: 'node' | 'edge' | null = null;
    let node: OpenNode | null = null;
    let edge: OpenEdge | null = null;
    let sawGexf = false;
    let failure: Error | null = null;

    const fail = (line: number, field: string | null, problem: string) =>
      new InputError(file, line, field, problem);
    const required = (tag: SaxesTagPlain, name: string) => {
      const value = tag.attributes[name];
      if (value === undefined || value === '')
        throw fail(parser.line, `${tag.name} ${name}`, `expected a ${name} attribute on <${tag.name}>`);
      return value;
    };

    const closeNode = (n: OpenNode) => {
      const type = String(n.values[gexfAttributes.type] ?? defaultNodeType);
      const key = String(n.values[gexfAttributes.key] ?? n.id);
      const classLabel = n.values[gexfAttributes.class];
      const attributes = { ...n.values };
      delete attributes[gexfAttributes.type];
      delete attributes[gexfAttributes.key];
      delete attributes[gexfAttributes.class];
      if (nodes.has(n.id)) throw fail(n.line, 'node id', `duplicate node id "${n.id}"`);
      network.addEntity(
        type,
        {
          key,
          label: n.label,
          classLabel: classLabel === undefined ? null : String(classLabel),
          attributes: Object.keys(attributes).length > 0 ? attributes : null,
        },
        file,
        n.line,
        'node id',
      );
      nodes.set(n.id, { type, id: -1 });
      meter.row();
    };

    const endpoint = (id: string, e: OpenEdge, field: 'source' | 'target') => {
      const n = nodes.get(id);
      if (!n)
        throw fail(e.line, `edge ${field}`, `unknown node "${id}": no <node> with this id before the edges`);
      return n;
    };

    const closeEdge = (e: OpenEdge) => {
      const source = endpoint(e.source, e, 'source');
      const target = endpoint(e.target, e, 'target');
      const relation =
        e.kind ??
        (e.values[gexfAttributes.relation] as string | undefined) ??
        `${source.type}-${target.type}`;
      const time = Number(e.values[gexfAttributes.time] ?? Number.NaN);
      const sourceKey = String(e.source);
      const targetKey = String(e.target);
      if (source.id < 0)
        source.id = network.entity(source.type, keyOf(sourceKey), false, file, e.line, 'edge source');
      if (target.id < 0)
        target.id = network.entity(target.type, keyOf(targetKey), false, file, e.line, 'edge target');
      network
        .relationType(String(relation), source.type, target.type)
        .push(source.id, target.id, time, e.weight);
      meter.row();
    };
    // node ids map to keys through the `key` attribute; remember them as nodes close
    const keys = new Map<string, string>();
    const keyOf = (nodeId: string) => keys.get(nodeId) ?? nodeId;

    parser.on('opentag', (tag) => {
      const t = tag as SaxesTagPlain;
      const name = t.name.includes(':') ? t.name.slice(t.name.indexOf(':') + 1) : t.name;
      switch (name) {
        case 'gexf':
          sawGexf = true;
          break;
        case 'attributes':
          attributeClass = t.attributes.class === 'edge' ? 'edge' : 'node';
          break;
        case 'attribute':
          if (attributeClass) {
            defs[attributeClass].set(required(t, 'id'), {
              title: t.attributes.title ?? t.attributes.id,
              type: t.attributes.type ?? 'string',
            });
          }
          break;
        case 'node':
          node = { id: required(t, 'id'), label: t.attributes.label ?? null, values: {}, line: parser.line };
          break;
        case 'edge': {
          const weight = t.attributes.weight === undefined ? Number.NaN : Number(t.attributes.weight);
          if (t.attributes.weight !== undefined && !Number.isFinite(weight)) {
            throw fail(parser.line, 'edge weight', `expected a number, got "${t.attributes.weight}"`);
          }
          edge = {
            source: required(t, 'source'),
            target: required(t, 'target'),
            kind: t.attributes.kind ?? null,
            weight,
            values: {},
            line: parser.line,
          };
          break;
        }
        case 'attvalue': {
          const target = node ?? edge;
          if (!target) break;
          const forId = required(t, 'for');
          const def = defs[node ? 'node' : 'edge'].get(forId);
          if (!def)
            throw fail(
              parser.line,
              'attvalue for',
              `attribute "${forId}" is not declared in <attributes class="${node ? 'node' : 'edge'}">`,
            );
          target.values[def.title] = typedValue(def, t.attributes.value ?? '');
          break;
        }
      }
    });
    parser.on('closetag', (tag) => {
      const name = tag.name.includes(':') ? tag.name.slice(tag.name.indexOf(':') + 1) : tag.name;
      if (name === 'node' && node) {
        const n: OpenNode = node;
        node = null;
        if (n.values[gexfAttributes.key] !== undefined) keys.set(n.id, String(n.values[gexfAttributes.key]));
        closeNode(n);
      } else if (name === 'edge' && edge) {
        const e: OpenEdge = edge;
        edge = null;
        closeEdge(e);
      } else if (name === 'attributes') attributeClass = null;
    });
    parser.on('error', (error) => {
      failure ??= fail(parser.line, null, `malformed XML: ${error.message.replace(/^.*?:\d+:\d+: /, '')}`);
    });

    const decoder = new TextDecoder('utf-8', { fatal: true });
    try {
      for await (const chunk of input.chunks) {
        if (ctx.signal.aborted) throw new ImportCancelled();
        let text: string;
        try {
          text = decoder.decode(chunk, { stream: true });
        } catch {
          throw fail(parser.line, null, 'invalid UTF-8; expected UTF-8 XML');
        }
        parser.write(text);
        if (failure) throw failure;
        meter.readInput(input);
      }
      parser.close();
      if (failure) throw failure;
    } catch (error) {
      if (error instanceof InputError && error.file === file && error.line === null) {
        throw fail(parser.line, error.field, error.problem);
      }
      throw error;
    }
    if (!sawGexf) throw fail(1, null, 'expected a <gexf> document');
    if (nodes.size === 0)
      throw fail(parser.line, null, 'no <node> elements; expected a GEXF graph with nodes');
    meter.endFile(input.size);
    network.finish();
  },
};
