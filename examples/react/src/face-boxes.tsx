/** A photo with boxes drawn over it: bounding boxes are ratios of the image (0..1), so they scale with it as percentages. */
import { useEffect, useState } from 'react';

export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface LabelledBox {
  box: Box;
  label: string;
  /** A CSS class of the box: `known` (a name), `unknown`, `unindexed`. */
  kind: 'known' | 'unknown' | 'unindexed';
}

export function FaceBoxes({ photo, boxes, name }: { photo: Blob; boxes: LabelledBox[]; name: string }) {
  // The object URL lives as long as this photo is shown (created in the effect, so StrictMode's second run gets its own).
  const [src, setSrc] = useState<string>();
  useEffect(() => {
    const url = URL.createObjectURL(photo);
    setSrc(url);
    return () => URL.revokeObjectURL(url);
  }, [photo]);
  return (
    <figure className="photo" aria-label={name}>
      {src && <img src={src} alt={name} />}
      {boxes.map(({ box, label, kind }, i) => (
        <div
          key={i}
          className={`box ${kind}`}
          data-testid="face-box"
          style={{ left: `${box.left * 100}%`, top: `${box.top * 100}%`, width: `${box.width * 100}%`, height: `${box.height * 100}%` }}
        >
          <span>{label}</span>
        </div>
      ))}
    </figure>
  );
}
