/**
 * `--annotate out.png`: the image with a box around every face and a label
 * under it (a name, or "unknown"), drawn with sharp's SVG compositing, so a
 * person can check an identification at a glance instead of reading
 * coordinates.
 */
import sharp from 'sharp';

/** A face to draw: its box in ratios of the image (the API's BoundingBox) and its label. */
export interface Annotation {
  box: { left: number; top: number; width: number; height: number };
  label: string;
  /** Matched faces are drawn green, the others amber. */
  matched: boolean;
}

const escapeXml = (s: string): string =>
  s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);

/** Writes `image` with `faces` drawn on it to `outPath` as PNG (upright: EXIF orientation applied, as the boxes assume). */
export async function annotateImage(image: Uint8Array, faces: readonly Annotation[], outPath: string): Promise<void> {
  const upright = sharp(image).rotate();
  const { data, info } = await upright.png().toBuffer({ resolveWithObject: true });
  const { width, height } = info;
  const stroke = Math.max(2, Math.round(Math.min(width, height) / 200));
  const fontSize = Math.max(12, Math.round(Math.min(width, height) / 30));
  const shapes = faces.map((f) => {
    const x = Math.round(f.box.left * width);
    const y = Math.round(f.box.top * height);
    const w = Math.round(f.box.width * width);
    const h = Math.round(f.box.height * height);
    const colour = f.matched ? '#22c55e' : '#f59e0b';
    // The label sits under the box, or above it when the box reaches the bottom edge.
    const labelY = y + h + fontSize + 4 <= height ? y + h + fontSize + 2 : Math.max(fontSize, y - 6);
    const labelWidth = Math.round(f.label.length * fontSize * 0.62) + 8;
    // Kept inside the picture: a face at the right edge gets its label shifted left.
    const labelX = Math.max(0, Math.min(x, width - labelWidth));
    return `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="none" stroke="${colour}" stroke-width="${stroke}"/>
<rect x="${labelX}" y="${labelY - fontSize}" width="${labelWidth}" height="${fontSize + 6}" fill="${colour}" fill-opacity="0.85"/>
<text x="${labelX + 4}" y="${labelY}" font-family="DejaVu Sans, Arial, sans-serif" font-size="${fontSize}" fill="#000">${escapeXml(f.label)}</text>`;
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes.join('\n')}</svg>`;
  await sharp(data)
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .png()
    .toFile(outPath);
}
