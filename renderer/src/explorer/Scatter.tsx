// The scatter plot: sigma over a graphology graph of the projection's points (no edges), drawn
// with NodePointProgram (sigma's instanced default is slow on the CPU WebGL of headless Chromium).
// The graph is built once per projection; colouring, highlight and selection only change what the
// nodeReducer returns, so an interaction costs a refresh, never a rebuild.
import Graph from 'graphology';
import { forwardRef, useEffect, useImperativeHandle, useRef, useState } from 'react';
import Sigma from 'sigma';
import { NodePointProgram } from 'sigma/rendering';
import type { NodeDisplayData } from 'sigma/types';
import { type Colouring, greyColour } from './categories.ts';

export interface Points {
  keys: string[];
  types: string[];
  labels: (string | null)[];
  classes: (string | null)[];
  x: number[];
  y: number[];
}

export interface ScatterProps {
  points: Points;
  colouring: Colouring;
  /** points shown in full colour while the others are greyed; null: all in colour */
  highlighted: ReadonlySet<number> | null;
  /** the point whose neighbours are highlighted: drawn larger with its name */
  focus: number | null;
  onClickPoint(index: number | null): void;
  onBoxSelect(indices: number[]): void;
}

export interface ScatterHandle {
  /** Moves the camera to a point and zooms in on it. */
  flyTo(index: number): void;
  /** The view as a PNG, all layers on a white background. */
  toPng(): Promise<Blob>;
}

interface Hover {
  index: number;
  left: number;
  top: number;
}

const pointSize = 3;

export const Scatter = forwardRef<ScatterHandle, ScatterProps>(function Scatter(props, handle) {
  const container = useRef<HTMLDivElement>(null);
  const sigma = useRef<Sigma | null>(null);
  // the reducer reads the latest props without sigma being made again
  const latest = useRef(props);
  latest.current = props;
  const [hover, setHover] = useState<Hover | null>(null);
  const [box, setBox] = useState<{ x0: number; y0: number; x1: number; y1: number } | null>(null);

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
        const { colouring, highlighted, focus } = latest.current;
        const i = data.i as number;
        const display: Partial<NodeDisplayData> = {
          x: data.x,
          y: data.y,
          size: pointSize,
          color: colouring.categories[colouring.of[i]].colour,
          zIndex: 1,
        };
        if (highlighted && !highlighted.has(i)) {
          display.color = greyColour;
          display.zIndex = 0;
        }
        if (focus === i) {
          display.size = pointSize * 2.5;
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
  }, [props.colouring, props.highlighted, props.focus]);

  // shift-drag draws a box: caught before sigma's own handlers so the camera does not pan
  useEffect(() => {
    const element = container.current!;
    const onDown = (event: MouseEvent) => {
      if (!event.shiftKey || event.button !== 0) return;
      event.stopPropagation();
      event.preventDefault();
      const rect = element.getBoundingClientRect();
      const x0 = event.clientX - rect.left;
      const y0 = event.clientY - rect.top;
      setBox({ x0, y0, x1: x0, y1: y0 });
      const onMove = (e: MouseEvent) =>
        setBox({ x0, y0, x1: e.clientX - rect.left, y1: e.clientY - rect.top });
      const onUp = (e: MouseEvent) => {
        window.removeEventListener('mousemove', onMove, true);
        window.removeEventListener('mouseup', onUp, true);
        e.stopPropagation();
        // the click that follows this mouseup would reach sigma as a click on the stage
        window.addEventListener('click', (click) => click.stopPropagation(), { capture: true, once: true });
        setBox(null);
        const x1 = e.clientX - rect.left;
        const y1 = e.clientY - rect.top;
        const renderer = sigma.current;
        if (!renderer) return;
        const [left, right] = [Math.min(x0, x1), Math.max(x0, x1)];
        const [top, bottom] = [Math.min(y0, y1), Math.max(y0, y1)];
        const inside: number[] = [];
        const { x, y } = latest.current.points;
        for (let i = 0; i < x.length; i++) {
          const at = renderer.graphToViewport({ x: x[i], y: y[i] });
          if (at.x >= left && at.x <= right && at.y >= top && at.y <= bottom) inside.push(i);
        }
        latest.current.onBoxSelect(inside);
      };
      window.addEventListener('mousemove', onMove, true);
      window.addEventListener('mouseup', onUp, true);
    };
    element.addEventListener('mousedown', onDown, true);
    return () => element.removeEventListener('mousedown', onDown, true);
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
      toPng() {
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
        return new Promise((resolve, reject) =>
          out.toBlob((blob) =>
            blob ? resolve(blob) : reject(new Error('the view could not be encoded as PNG')),
          ),
        );
      },
    }),
    [],
  );

  const hovered = hover === null ? null : hover.index;
  return (
    <div className="scatter" data-testid="scatter" data-points={points.x.length}>
      <div className="scatter-canvas" ref={container} />
      {hovered !== null && hover && (
        <div className="tooltip" data-testid="tooltip" style={{ left: hover.left + 12, top: hover.top + 12 }}>
          <strong>{points.labels[hovered] ?? points.keys[hovered]}</strong>
          <div>
            <span className="muted">key</span> {points.keys[hovered]}
          </div>
          <div>
            <span className="muted">type</span> {points.types[hovered]}
          </div>
          {points.classes[hovered] !== null && (
            <div>
              <span className="muted">class</span> {points.classes[hovered]}
            </div>
          )}
        </div>
      )}
      {box && (
        <div
          className="box-select"
          style={{
            left: Math.min(box.x0, box.x1),
            top: Math.min(box.y0, box.y1),
            width: Math.abs(box.x1 - box.x0),
            height: Math.abs(box.y1 - box.y0),
          }}
        />
      )}
    </div>
  );
});
