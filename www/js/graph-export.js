// Saving a graph as PNG or SVG, made in this tab and downloaded through a link (download.js):
// SVG text from a scene or from an SVG element of the page; PNG from a canvas, or from SVG text
// drawn on a canvas through an image (a data: URL, the one image source the page's CSP allows
// besides its own files). Nothing is sent anywhere.

import { saveText } from './download.js';
import { svgNamespace } from './svg-dom.js';

/** An SVG element of the page as a standalone document, on a white background. */
export function svgElementText(node) {
  const copy = node.cloneNode(true);
  const back = document.createElementNS(svgNamespace(), 'rect');
  for (const [k, v] of Object.entries({ width: '100%', height: '100%', fill: '#ffffff' })) back.setAttribute(k, v);
  copy.insertBefore(back, copy.firstChild);
  return `${new XMLSerializer().serializeToString(copy)}\n`;
}

/** SVG text rendered as a PNG Blob of `width`×`height` (CSS pixels, drawn at 2×). */
export function svgTextToPng(text, width, height) {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => {
      const canvas = document.createElement('canvas');
      canvas.width = Math.max(1, Math.round(width * 2));
      canvas.height = Math.max(1, Math.round(height * 2));
      const ctx = canvas.getContext('2d');
      ctx.scale(2, 2);
      ctx.drawImage(image, 0, 0, width, height);
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the browser could not encode the graph as PNG'))), 'image/png');
    };
    image.onerror = () => reject(new Error('the graph could not be drawn as an image'));
    image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
  });
}

/** A canvas as a PNG Blob. */
export function canvasToPng(canvas) {
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the browser could not encode the graph as PNG'))), 'image/png'));
}

/** Downloads a PNG Blob or SVG text as `name`. */
export function saveGraph(name, content) {
  if (typeof content === 'string') saveText(name, content, 'image/svg+xml');
  else saveText(name, content, 'image/png');
}
