// The scatter plot: sigma over a graphology graph of the projection's points (no edges), drawn
// with NodePointProgram (sigma's instanced default is slow on the CPU WebGL of headless Chromium).
// The graph is built once per projection; colouring, highlight, filters and selection only change
// what the nodeReducer returns, so an interaction costs a refresh, never a rebuild. Box and lasso
// drags are drawn here and handed up as the points they enclose; the explorer owns the choice.
import Graph from 'graphology';
import { forwardRef, type ReactNode, useEffect, useImperativeHandle, useRef, useState } from 'react';
import Sigma from 'sigma';
import { NodePointProgram } from 'sigma/rendering';
import type { NodeDisplayData } from 'sigma/types';
import { type Colouring, greyColour } from './categories.ts';
import { boxPolygon, pointsInPolygon, type Vertex } from './selection.ts';

export interface Points {
  keys: string[];
  types: string[];
  labels: (string | null)[];
  classes: (string | null)[];
  x: number[];
  y: number[];
  /** relations touching each entity (an interaction log's interactions) */
  degrees: number[];
}

export interface ScatterProps {
  points: Points;
  colouring: Colouring;
  /** points shown in full colour while the others are greyed; null: all in colour */
  highlighted: ReadonlySet<number> | null;
  /** the point whose neighbours are highlighted: drawn larger with its name */
  focus: number | null;
  /** 1 for the points the filters take out; null: no filter */
  filteredOut: Uint8Array | null;
  /** filtered-out points not drawn at all (else greyed) */
  hideFiltered: boolean;
  /** 1 for points not to draw nor select at all (entities a compared run lacks); null: none */
  absent?: Uint8Array | null;
  /** names the plot for tests and for the person (a compared run's name in its corner) */
  testId?: string;
  caption?: string;
  /** each point's size in pixels; null: all the same */
  sizes: Float32Array | null;
  /** names drawn at places of the plot (cluster labels at cluster centres), in graph coordinates */
  placeLabels: readonly PlaceLabel[];
  /** the hovered point's picture in its tooltip (an image dataset's image, a clip's first frame) */
  picture?: (index: number) => ReactNode;
  /** what a plain drag does; shift-drag is always a box and alt-drag a lasso */
  tool: DragTool;
  onClickPoint(index: number | null): void;
  /** the points inside a box or lasso the user drew (possibly none) */
  onSelect(indices: number[]): void;
}

export type DragTool = 'pan' | 'box' | 'lasso';

export interface PlaceLabel {
  x: number;
  y: number;
  text: string;
}

export interface ScatterHandle {
  /** Moves the camera to a point and zooms in on it. */
  flyTo(index: number): void;
  /** The view as drawn now, all layers on a white background. */
  toCanvas(): HTMLCanvasElement;
}

/** Plots side by side (a compared run on the right), a white gap between, as one PNG. */
export function plotsPng(plots: readonly ScatterHandle[]): Promise<Blob> {
  const canvases = plots.map((p) => p.toCanvas());
  const gap = 8 * (window.devicePixelRatio || 1);
  const out = document.createElement('canvas');
  out.width = canvases.reduce((sum, c) => sum + c.width, 0) + gap * (canvases.length - 1);
  out.height = Math.max(...canvases.map((c) => c.height));
  const context = out.getContext('2d')!;
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, out.width, out.height);
  let left = 0;
  for (const canvas of canvases) {
    context.drawImage(canvas, left, 0);
    left += canvas.width + gap;
  }
  return new Promise((resolve, reject) =>
    out.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the view could not be encoded as PNG')))),
  );
}

interface Hover {
  index: number;
  left: number;
  top: number;
}

const pointSize = 3;

export const Scatter = forwardRef<ScatterHandle, ScatterProps>(function Scatter(props, handle) {
  const frameRef = useRef<HTMLDivElement>(null);
  const container = useRef<HTMLDivElement>(null);
  const sigma = useRef<Sigma | null>(null);
  // the reducer reads the latest props without sigma being made again
  const latest = useRef(props);
  latest.current = props;
  const [hover, setHover] = useState<Hover | null>(null);
  // the box or lasso being dragged, in viewport pixels
  const [drag, setDrag] = useState<{ shape: 'box' | 'lasso'; path: Vertex[] } | null>(null);

  const { points } = props;
  useEffect(() => {
    const graph = new Graph({ type: 'undirected', allowSelfLoops: false });
    for (let i = 0; i < points.x.length; i++) {
      graph.addNode(String(i), { x: points.x[i], y: points.y[i], size: pointSize, i });
    }
    const renderer = new Sigma(graph, container.current!, {
      defaultNodeType: 'point',
      nodeProgramClasses: { point: NodePointProgram },
      renderEdgeLabels: false,
      enableEdgeEvents: false,
      zIndex: true,
      labelRenderedSizeThreshold: Number.POSITIVE_INFINITY,
      nodeReducer(_node, data) {
        const { colouring, highlighted, focus, sizes } = latest.current;
        const i = data.i as number;
        const size = sizes ? sizes[i] : pointSize;
        const display: Partial<NodeDisplayData> = {
          x: data.x,
          y: data.y,
          size,
          color: colouring.categories[colouring.of[i]].colour,
          zIndex: 1,
        };
        const { filteredOut, hideFiltered, absent } = latest.current;
        if (absent?.[i] || (filteredOut?.[i] && hideFiltered)) return { ...display, hidden: true };
        if (filteredOut?.[i] || (highlighted && !highlighted.has(i))) {
          display.color = greyColour;
          display.zIndex = 0;
        }
        if (focus === i) {
          display.size = Math.max(size, pointSize * 2.5);
          display.zIndex = 2;
          display.label = points.labels[i] ?? points.keys[i];
          display.forceLabel = true;
        }
        return display;
      },
    });
    renderer.on('enterNode', ({ node }) => {
      const index = Number(node);
      const at = renderer.graphToViewport({ x: points.x[index], y: points.y[index] });
      setHover({ index, left: at.x, top: at.y });
    });
    renderer.on('leaveNode', () => setHover(null));
    renderer.on('clickNode', ({ node }) => latest.current.onClickPoint(Number(node)));
    renderer.on('clickStage', () => latest.current.onClickPoint(null));
    renderer.getCamera().on('updated', () => setHover(null));
    // drawn over sigma's own labels canvas after each frame, so the PNG export carries them too
    renderer.on('afterRender', () => {
      const labels = latest.current.placeLabels;
      if (labels.length === 0) return;
      const context = renderer.getCanvases().labels.getContext('2d')!;
      context.font = '600 13px system-ui, sans-serif';
      context.textAlign = 'center';
      context.textBaseline = 'middle';
      context.lineJoin = 'round';
      context.lineWidth = 4;
      context.strokeStyle = 'rgba(255, 255, 255, 0.9)';
      context.fillStyle = '#1f2430';
      const { width } = renderer.getDimensions();
      for (const label of labels) {
        const at = renderer.graphToViewport(label);
        // a cluster at the plot's edge keeps its whole label in view
        const half = context.measureText(label.text).width / 2 + 4;
        const x = Math.min(Math.max(at.x, half), width - half);
        context.strokeText(label.text, x, at.y);
        context.fillText(label.text, x, at.y);
      }
    });
    sigma.current = renderer;
    return () => {
      renderer.kill();
      sigma.current = null;
    };
  }, [points]);

  // colouring or selection changed: the same graph through the reducer again
  // biome-ignore lint/correctness/useExhaustiveDependencies: the reducer reads them through `latest`; their change is what must redraw
  useEffect(() => {
    sigma.current?.refresh({ skipIndexation: true });
  }, [
    props.colouring,
    props.highlighted,
    props.focus,
    props.filteredOut,
    props.hideFiltered,
    props.placeLabels,
    props.sizes,
  ]);

  // A selecting drag is caught on the plot's frame in the capture phase, before sigma's own
  // handlers, so the camera does not pan; listening on the frame rather than sigma's canvas lets a
  // drag start anywhere in the plot, its rounded corners included.
  useEffect(() => {
    const frame = frameRef.current!;
    const onDown = (event: MouseEvent) => {
      if (event.button !== 0) return;
      const { tool } = latest.current;
      const shape = event.altKey ? 'lasso' : event.shiftKey ? 'box' : tool === 'pan' ? null : tool;
      if (!shape) return;
      event.stopPropagation();
      event.preventDefault();
      const rect = container.current!.getBoundingClientRect();
      const at = (e: MouseEvent): Vertex => ({ x: e.clientX - rect.left, y: e.clientY - rect.top });
      const path: Vertex[] = [at(event)];
      setDrag({ shape, path: [...path] });
      const onMove = (e: MouseEvent) => {
        const here = at(e);
        const last = path[path.length - 1];
        if (shape === 'box') path[1] = here;
        // a lasso vertex every few pixels: the test per point is linear in the vertices
        else if (Math.hypot(here.x - last.x, here.y - last.y) >= 3) path.push(here);
        else return;
        setDrag({ shape, path: [...path] });
      };
      const onUp = (e: MouseEvent) => {
        window.removeEventListener('mousemove', onMove, true);
        window.removeEventListener('mouseup', onUp, true);
        e.stopPropagation();
        // the click that follows this mouseup would reach sigma as a click on the stage
        window.addEventListener('click', (click) => click.stopPropagation(), { capture: true, once: true });
        setDrag(null);
        if (shape === 'box') path[1] = at(e);
        else path.push(at(e));
        const renderer = sigma.current;
        if (!renderer) return;
        const drawn = shape === 'box' ? boxPolygon(path[0], path[1] ?? path[0]) : path;
        const polygon = drawn.map((v) => renderer.viewportToGraph(v));
        const { points, absent } = latest.current;
        const inside = pointsInPolygon(points.x, points.y, polygon);
        latest.current.onSelect(absent ? inside.filter((i) => !absent[i]) : inside);
      };
      window.addEventListener('mousemove', onMove, true);
      window.addEventListener('mouseup', onUp, true);
    };
    frame.addEventListener('mousedown', onDown, true);
    return () => frame.removeEventListener('mousedown', onDown, true);
  }, []);

  useImperativeHandle(
    handle,
    () => ({
      flyTo(index) {
        const renderer = sigma.current;
        const shown = renderer?.getNodeDisplayData(String(index));
        if (!renderer || !shown) return;
        renderer.getCamera().animate({ x: shown.x, y: shown.y, ratio: 0.08 }, { duration: 400 });
      },
      toCanvas() {
        const renderer = sigma.current!;
        // WebGL keeps no drawing buffer: draw now and copy the layers in the same task
        renderer.refresh();
        const { width, height } = renderer.getDimensions();
        const ratio = window.devicePixelRatio || 1;
        const out = document.createElement('canvas');
        out.width = width * ratio;
        out.height = height * ratio;
        const context = out.getContext('2d')!;
        context.fillStyle = '#ffffff';
        context.fillRect(0, 0, out.width, out.height);
        for (const [id, canvas] of Object.entries(renderer.getCanvases())) {
          if (id !== 'mouse') context.drawImage(canvas, 0, 0, out.width, out.height);
        }
        return out;
      },
    }),
    [],
  );

  const hovered = hover === null ? null : hover.index;
  return (
    <div
      className={`scatter${props.tool === 'pan' ? '' : ' scatter-selecting'}`}
      ref={frameRef}
      data-testid={props.testId ?? 'scatter'}
      data-points={points.x.length}
    >
      <div className="scatter-canvas" ref={container} />
      {props.caption && <div className="scatter-caption">{props.caption}</div>}
      {hovered !== null && hover && (
        <div className="tooltip" data-testid="tooltip" style={{ left: hover.left + 12, top: hover.top + 12 }}>
          {props.picture?.(hovered)}
          <strong>{points.labels[hovered] ?? points.keys[hovered]}</strong>
          <div>
            <span className="muted">key</span> {points.keys[hovered]}
          </div>
          <div>
            <span className="muted">type</span> {points.types[hovered]}
          </div>
          <div>
            <span className="muted">degree</span> {points.degrees[hovered].toLocaleString('en')}
          </div>
          {points.classes[hovered] !== null && (
            <div>
              <span className="muted">class</span> {points.classes[hovered]}
            </div>
          )}
        </div>
      )}
      {drag && (
        <svg className="drag-shape" aria-hidden="true">
          <polygon
            points={(drag.shape === 'box'
              ? boxPolygon(drag.path[0], drag.path[1] ?? drag.path[0])
              : drag.path
            )
              .map((v) => `${v.x},${v.y}`)
              .join(' ')}
          />
        </svg>
      )}
    </div>
  );
});
