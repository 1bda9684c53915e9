// The picture of a hovered image, or a clip's first frame, in the explorer's tooltip. Asked for once
// per entity through media.thumbnail and kept, so moving back over a point costs no request; the
// typed API carries it, so serve mode and Electron show the same thing.
import { useEffect, useState } from 'react';
import type { CommandOutput } from '../../../src/api/index.ts';
import { client } from '../actions.ts';

type Picture = CommandOutput<'media.thumbnail'>;

/** Pictures kept: a few kilobytes each; the oldest asked goes first. */
const kept = 512;
const pictures = new Map<number, Promise<Picture>>();

/** One entity's picture, asked for once and kept (the tooltip and the attention panel share it). */
export function pictureOf(entity: number): Promise<Picture> {
  const known = pictures.get(entity);
  if (known) return known;
  const asked = client().call('media.thumbnail', { entity });
  pictures.set(entity, asked);
  // a failure is not kept: the next hover asks again
  asked.catch(() => pictures.delete(entity));
  if (pictures.size > kept) pictures.delete(pictures.keys().next().value!);
  return asked;
}

/** Longest side drawn in the tooltip, in CSS pixels: an 8x8 digit is scaled up to it. */
const shownSide = 96;

export function Thumbnail({ entity }: { entity: number }) {
  const [picture, setPicture] = useState<Picture | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    setPicture(null);
    setFailed(false);
    pictureOf(entity).then(
      (p) => live && setPicture(p),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [entity]);
  if (failed) return <div className="tooltip-picture muted small">no picture</div>;
  if (!picture) return <div className="tooltip-picture tooltip-picture-pending" />;
  const scale = shownSide / Math.max(picture.width, picture.height);
  const { frames } = picture.source;
  return (
    <figure className="tooltip-picture">
      <img
        src={picture.url}
        alt={picture.key}
        data-entity={picture.entity}
        width={Math.round(picture.width * scale)}
        height={Math.round(picture.height * scale)}
        // small images stay sharp squares when scaled up, as a person expects of digits
        className={scale > 1 ? 'pixelated' : undefined}
      />
      <figcaption className="muted small">
        {picture.source.width}×{picture.source.height}
        {frames > 1 ? ` · first of ${frames} frames` : ''}
      </figcaption>
    </figure>
  );
}
