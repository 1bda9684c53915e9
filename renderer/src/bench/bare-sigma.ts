// The reference page of `constellation bench explorer`: the same sigma build and point program as
// the explorer's scatter, drawing the same points, with nothing else on the page. The bench serves
// the points (x, y as float32) at ./points.bin and the plot's size in the query string, so both
// pages draw the same number of pixels.
import Graph from 'graphology';
import Sigma from 'sigma';
import { NodePointProgram } from 'sigma/rendering';

const query = new URLSearchParams(location.search);
const container = document.getElementById('graph')!;
container.style.width = `${query.get('width') ?? 800}px`;
container.style.height = `${query.get('height') ?? 600}px`;

async function draw(): Promise<void> {
  const xy = new Float32Array(await (await fetch('./points.bin')).arrayBuffer());
  const graph = new Graph({ type: 'undirected', allowSelfLoops: false });
  for (let i = 0; i < xy.length / 2; i++) {
    graph.addNode(String(i), { x: xy[2 * i], y: xy[2 * i + 1], size: 3, color: '#4e79a7' });
  }
  new Sigma(graph, container, {
    defaultNodeType: 'point',
    nodeProgramClasses: { point: NodePointProgram },
    renderEdgeLabels: false,
    enableEdgeEvents: false,
    labelRenderedSizeThreshold: Number.POSITIVE_INFINITY,
  });
  container.dataset.points = String(graph.order);
}

void draw();
