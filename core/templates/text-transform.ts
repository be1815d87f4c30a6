import type { TextTransform } from './template-types.ts';

/** The product's auto-transforms: case, then spaces removed or replaced. */
export function applyTransform(value: string, transform: TextTransform | undefined): string {
  if (!transform) return value;
  let out = value;
  if (transform.case === 'upper') out = out.toUpperCase();
  else if (transform.case === 'lower') out = out.toLowerCase();
  if (transform.spaces === 'remove') out = out.replace(/ /g, '');
  else if (transform.spaces) out = out.replace(/ /g, transform.spaces.replaceWith);
  return out;
}
