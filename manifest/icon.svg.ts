/**
 * The app's icon, drawn for it: a shield (access control) holding a key (the access being handed to a partner). The colour
 * icon puts it white on the accent colour; the outline icon is the same shape, white on transparent, edge to edge.
 */

export const ACCENT_COLOR = '#3A4BA8';

const SHIELD = 'M96 30 L148 48 V94 C148 128 126 152 96 164 C66 152 44 128 44 94 V48 Z';
const KEY = [
  '<circle cx="96" cy="84" r="15" />',
  '<path d="M96 99 V136" />',
  '<path d="M96 118 H110" />',
  '<path d="M96 130 H106" />',
].join('');

export function colorIconSvg(): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="192" height="192" viewBox="0 0 192 192">
  <rect width="192" height="192" fill="${ACCENT_COLOR}" />
  <path d="${SHIELD}" fill="none" stroke="#FFFFFF" stroke-width="10" stroke-linejoin="round" />
  <g fill="none" stroke="#FFFFFF" stroke-width="9" stroke-linecap="round">${KEY}</g>
</svg>`;
}

/** Cropped to the shield so the outline has no padding; thicker strokes so it still reads at 32 pixels. */
export function outlineIconSvg(): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="30 24 132 146">
  <path d="${SHIELD}" fill="none" stroke="#FFFFFF" stroke-width="13" stroke-linejoin="round" />
  <g fill="none" stroke="#FFFFFF" stroke-width="12" stroke-linecap="round">${KEY}</g>
</svg>`;
}
