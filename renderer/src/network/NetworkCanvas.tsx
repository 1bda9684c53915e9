// The drawn network: sigma over a graphology graph that follows the ShownNetwork (nodes and edges
// added as they arrive, cleared when a new one replaces it), laid out by ForceAtlas2 in its web
// worker for a fixed number of iterations. A fixed count, not a time, makes the same network land
// in the same place on every machine and under any load. Type filters and the selection are
// reducers: they change what is drawn, never the graph.
import Graph from 'graphology';
import FA2Layout from 'graphology-layout-forceatlas2/worker';
import { useEffect, useRef, useState } from 'react';
import Sigma from 'sigma';
import { EdgeLineProgram } from 'sigma/rendering';
import type { EdgeDisplayData, NodeDisplayData } from 'sigma/types';
import { seededRandom } from '../../../src/eval/random.ts';
import { edgeKey, type ShownNetwork } from './shown-network.ts';

export interface NetworkCanvasProps {
  shown: ShownNetwork;
  colours: ReadonlyMap<string, string>;
  hiddenTypes: ReadonlySet<string>;
  selected: number | null;
  /** the node to centre the camera on once the layout has settled (a searched node) */
  focus: number | null;
  onSelect(node: number | null): void;
}

/** Iterations per layout: a 200-node sample (the e2e's) and a 163-node star (looked at) have settled by then. */
export const layoutIterations = 300;
const edgeColour = '#c3c8d2';
const dimmedColour = '#e4e7ec';

const sizeOf = (degree: number) => Math.min(14, 3 + 1.6 * Math.log2(1 + degree));

/** A spot near (x, y) that depends only on the node id: the same network starts the same way. */
function near(id: number, x: number, y: number, spread: number) {
  const random = seededRandom(id + 1);
  const angle = 2 * Math.PI * random();
  const r = spread * (0.5 + random());
  return { x: x + r * Math.cos(angle), y: y + r * Math.sin(angle) };
}

/** Moves the camera to a node where the layout left it. */
function centreOn(renderer: Sigma, node: number | null) {
  if (node === null || !renderer.getGraph().hasNode(String(node))) return;
  // the layout's last positions drawn now, so the camera reads where the node ended up
  renderer.refresh();
  const at = renderer.getNodeDisplayData(String(node));
  if (at) renderer.getCamera().animate({ x: at.x, y: at.y }, { duration: 300 });
}

export function NetworkCanvas(props: NetworkCanvasProps) {
  const container = useRef<HTMLDivElement>(null);
  const graph = useRef(new Graph({ type: 'directed', multi: true, allowSelfLoops: true }));
  const sigma = useRef<Sigma | null>(null);
  const layout = useRef<FA2Layout | null>(null);
  const latest = useRef(props);
  latest.current = props;
  const [running, setRunning] = useState(false);
  const [size, setSize] = useState({ nodes: 0, edges: 0 });
  const { shown } = props;

  useEffect(() => {
    const renderer = new Sigma(graph.current, container.current!, {
      edgeProgramClasses: { line: EdgeLineProgram },
      defaultEdgeType: 'line',
      renderEdgeLabels: false,
      zIndex: true,
      labelRenderedSizeThreshold: 9,
      nodeReducer(node, data) {
        const { hiddenTypes, selected, colours } = latest.current;
        const id = Number(node);
        const display: Partial<NodeDisplayData> = {
          ...data,
          color: colours.get(data.entityType as string) ?? '#9aa1ad',
          zIndex: 1,
        };
        if (hiddenTypes.has(data.entityType as string)) display.hidden = true;
        if (selected === id) {
          display.highlighted = true;
          display.forceLabel = true;
          display.zIndex = 2;
        }
        return display;
      },
      edgeReducer(edge, data) {
        const { hiddenTypes, selected } = latest.current;
        const g = graph.current;
        const [source, target] = g.extremities(edge);
        const display: Partial<EdgeDisplayData> = { ...data, color: edgeColour, size: 1 };
        if (
          hiddenTypes.has(g.getNodeAttribute(source, 'entityType')) ||
          hiddenTypes.has(g.getNodeAttribute(target, 'entityType'))
        )
          display.hidden = true;
        else if (selected !== null && source !== String(selected) && target !== String(selected))
          display.color = dimmedColour;
        return display;
      },
    });
    renderer.on('clickNode', ({ node }) => latest.current.onSelect(Number(node)));
    renderer.on('clickStage', () => latest.current.onSelect(null));
    sigma.current = renderer;
    return () => {
      layout.current?.kill();
      renderer.kill();
      sigma.current = null;
    };
  }, []);

  // the shown network changed: clear for a new one, add what is new, lay it all out again
  useEffect(() => {
    const g = graph.current;
    let cleared = false;
    g.forEachNode((node) => {
      if (!cleared && !shown.nodes.has(Number(node))) cleared = true;
    });
    if (cleared) g.clear();
    const anchor = shown.anchor !== null && g.hasNode(String(shown.anchor)) ? shown.anchor : null;
    const origin = anchor === null ? { x: 0, y: 0 } : g.getNodeAttributes(String(anchor));
    const spread = anchor === null ? 100 : 10;
    for (const node of shown.nodes.values()) {
      const id = String(node.id);
      if (g.hasNode(id)) continue;
      g.addNode(id, {
        ...near(node.id, origin.x as number, origin.y as number, spread),
        size: sizeOf(node.degree),
        label: node.label ?? node.key,
        entityType: node.type,
      });
    }
    for (const edge of shown.edges) {
      const key = edgeKey(edge);
      if (!g.hasEdge(key)) g.addDirectedEdgeWithKey(key, String(edge.source), String(edge.target));
    }
    setSize({ nodes: g.order, edges: g.size });

    layout.current?.kill();
    if (g.order < 2) {
      setRunning(false);
      return;
    }
    // strong gravity keeps a sample's separate components in view; Barnes-Hut only where n^2 repulsion costs
    const fa2 = new FA2Layout(g, {
      settings: {
        barnesHutOptimize: g.order > 2000,
        strongGravityMode: true,
        gravity: 0.05,
        scalingRatio: 10,
        slowDown: 1 + Math.log(g.order),
        adjustSizes: false,
      },
    });
    let iterations = 0;
    const count = () => {
      iterations++;
      if (iterations >= layoutIterations) {
        g.off('eachNodeAttributesUpdated', count);
        // stopped now, so no later iteration lands; killed once the supervisor's message handler,
        // which is still running this event, has returned
        fa2.stop();
        queueMicrotask(() => fa2.kill());
        setRunning(false);
        if (sigma.current) centreOn(sigma.current, latest.current.focus);
      }
    };
    g.on('eachNodeAttributesUpdated', count);
    layout.current = fa2;
    setRunning(true);
    fa2.start();
    return () => {
      g.off('eachNodeAttributesUpdated', count);
      fa2.kill();
    };
  }, [shown]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the reducers read them through `latest`; their change is what must redraw
  useEffect(() => {
    sigma.current?.refresh({ skipIndexation: true });
  }, [props.hiddenTypes, props.selected, props.colours]);

  return (
    <div
      className="netview-canvas"
      data-testid="network"
      data-nodes={size.nodes}
      data-edges={size.edges}
      data-layout={running ? 'running' : 'done'}
    >
      <div className="netview-sigma" ref={container} />
      {running && <div className="netview-badge">ForceAtlas2…</div>}
    </div>
  );
}
