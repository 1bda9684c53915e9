// Where a ViT run looks in the focused image: the picture with the chosen attention map laid over
// it, patch by patch (patches the map weighs little are darkened, as ViT's paper draws rollout), the
// run's prediction beside the image's class, and a choice of rollout, a layer, or one head.
import { useEffect, useMemo, useRef, useState } from 'react';
import { client } from '../actions.ts';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { type AttentionMaps, mapChoices, mapOf, shades, strongestPatch } from './attention.ts';
import { pictureOf } from './Thumbnail.tsx';

/** Side of the drawn image in CSS pixels: a 28 x 28 image with 7 x 7 patches gets 24 px a patch. */
const side = 168;
/** How dark the least-weighted patch is drawn: enough to read the weights, not to hide the image. */
const darkest = 0.8;

export function AttentionMap({ run, entity }: { run: number; entity: number }) {
  const [maps, setMaps] = useState<AttentionMaps | null>(null);
  const [picture, setPicture] = useState<HTMLImageElement | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [value, setValue] = useState('rollout');
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    let live = true;
    setMaps(null);
    setPicture(null);
    setError(null);
    Promise.all([client().call('vit.attention', { run, entity }), pictureOf(entity).then(loadImage)]).then(
      ([m, image]) => {
        if (!live) return;
        setMaps(m);
        setPicture(image);
      },
      (e) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [run, entity]);

  const options = useMemo(() => (maps ? mapChoices(maps.layers, maps.heads) : []), [maps]);
  const chosen = options.find((o) => o.value === value) ?? options[0];
  const map = useMemo(() => (maps && chosen ? mapOf(maps, chosen.choice) : null), [maps, chosen]);

  useEffect(() => {
    const context = canvas.current?.getContext('2d');
    if (!context || !maps || !map || !picture) return;
    context.imageSmoothingEnabled = false;
    context.clearRect(0, 0, side, side);
    // stretched to the square the model reads (its image_size), so the patches line up
    context.drawImage(picture, 0, 0, side, side);
    // patch k spans edge(k) to edge(k + 1): whole pixels, no gaps between neighbours
    const edge = (k: number) => Math.round((k * side) / maps.grid);
    shades(map).forEach((shade, p) => {
      const column = p % maps.grid;
      const row = Math.floor(p / maps.grid);
      context.fillStyle = `rgb(0 0 0 / ${darkest * (1 - shade)})`;
      context.fillRect(edge(column), edge(row), edge(column + 1) - edge(column), edge(row + 1) - edge(row));
    });
  }, [maps, map, picture]);

  if (error) return <ErrorMessage error={error} />;
  if (!maps || !map) return <div className="muted small">Reading the attention of run #{run}…</div>;
  const strongest = strongestPatch(map, maps.grid);
  const right = maps.label === null ? null : maps.label === maps.predicted;
  return (
    <div className="attention" data-testid="attention">
      <canvas
        ref={canvas}
        width={side}
        height={side}
        className="attention-canvas"
        data-grid={maps.grid}
        data-strongest={`${strongest.row},${strongest.column}`}
        aria-label={`${chosen.label} over ${maps.entity.key}`}
      />
      <div className="small">
        Predicted <strong>{maps.predicted}</strong> ({(100 * maps.confidence).toFixed(1)} %)
        {maps.label !== null && (
          <>
            {' '}
            · class {maps.label} <span className={right ? 'right' : 'wrong'}>{right ? '✓' : '✗'}</span>
          </>
        )}
      </div>
      <label className="inline-label small">
        Map{' '}
        <select value={chosen.value} onChange={(e) => setValue(e.target.value)}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </label>
      <div className="muted small">
        {maps.grid}×{maps.grid} patches of {maps.patch} px; strongest: row {strongest.row + 1}, column{' '}
        {strongest.column + 1}
      </div>
    </div>
  );
}

function loadImage(picture: { url: string }): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error('the picture could not be drawn'));
    image.src = picture.url;
  });
}
