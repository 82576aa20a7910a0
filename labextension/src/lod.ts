/**
 * Big views: how cytoscape draws a graph of thousands of nodes. Small and
 * medium views draw as always (canvas, curved edges, every label); a view of
 * more than BIG_VIEW_NODES leaves gets cytoscape's WebGL renderer where the
 * browser has a GPU's WebGL 2 (else the canvas one, with a picture of the
 * view moved while the viewport moves), straight edges and level of detail (labels not drawn below a size
 * on screen). Measured in benchmarks/bench_browser.py. Pure but for
 * {@link webgl2Kind}.
 */

import type { IStyleRule } from './types';

/** Leaf layers above which a view is drawn as a big one. */
export const BIG_VIEW_NODES = 2500;

/**
 * Labels drawn smaller than this on screen (px) are skipped in a big view
 * (cytoscape's `min-zoomed-font-size`): below it they are unreadable anyway.
 */
export const BIG_MIN_FONT_PX = 6;

/** How cytoscape draws. */
export type RendererName = 'webgl' | 'canvas';

/** The drawing plan of one view. */
export interface IRenderPlan {
  /** Whether the big-view options and styles apply. */
  big: boolean;
  /** Which renderer. */
  renderer: RendererName;
}

/**
 * The plan for a view of `leaves` leaf layers (every layer it can show, open
 * or not: the renderer is chosen once). `webgl`: whether WebGL may be used
 * ({@link webglUsable}).
 */
export function renderPlan(leaves: number, webgl: boolean): IRenderPlan {
  const big = leaves > BIG_VIEW_NODES;
  return { big, renderer: big && webgl ? 'webgl' : 'canvas' };
}

/** Cytoscape options of a plan (spread into its constructor's options). */
export function rendererOptions(plan: IRenderPlan): Record<string, unknown> {
  if (!plan.big) {
    return {};
  }
  if (plan.renderer === 'webgl') {
    return {
      renderer: { name: 'canvas', webgl: true },
      motionBlur: false
    };
  }
  // Canvas: while panning or zooming, move a picture of the view instead of
  // drawing thousands of elements per frame; and no edges while it moves.
  return {
    textureOnViewport: true,
    hideEdgesOnViewport: true,
    motionBlur: false
  };
}

/**
 * Stylesheet rules appended for a big view: labels below BIG_MIN_FONT_PX on
 * screen are skipped, and edges are straight lines (cytoscape computes the
 * control points of every bezier edge before the first frame; WebGL draws a
 * curve as 15 segments). Skip connections keep their bow (`kv-bent`, added
 * after these rules).
 */
export function bigViewRules(): IStyleRule[] {
  return [
    { selector: 'node', style: { 'min-zoomed-font-size': BIG_MIN_FONT_PX } },
    {
      selector: 'edge',
      style: { 'curve-style': 'straight', 'min-zoomed-font-size': BIG_MIN_FONT_PX }
    }
  ];
}

/**
 * Whether a WebGL renderer string names a software rasterizer (SwiftShader,
 * as in headless Chromium with --disable-gpu; Mesa's llvmpipe; Microsoft's
 * Basic Render Driver). There cytoscape's WebGL renderer, which draws every
 * element each frame, was far slower than the canvas one: 10,000 nodes
 * painted in 21 s instead of 7 s and panned at 1 frame/s instead of 48.
 */
export function isSoftwareGl(renderer: string): boolean {
  return /swiftshader|llvmpipe|softpipe|software|basic render/i.test(renderer);
}

/** What WebGL 2 this browser has: none, a software one, or a GPU's. */
export type WebglKind = 'none' | 'software' | 'gpu';

let webgl2: WebglKind | null = null;

/** WebGL 2 in this browser (asked once per page). */
export function webgl2Kind(doc: Document = document): WebglKind {
  if (webgl2 === null) {
    webgl2 = 'none';
    try {
      const gl = doc.createElement('canvas').getContext('webgl2');
      if (gl) {
        const info = gl.getExtension('WEBGL_debug_renderer_info');
        const name = String(
          gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? ''
        );
        webgl2 = isSoftwareGl(name) ? 'software' : 'gpu';
        gl.getExtension('WEBGL_lose_context')?.loseContext();
      }
    } catch {
      webgl2 = 'none';
    }
  }
  return webgl2;
}

/**
 * Whether a big view may use WebGL: with a GPU's WebGL 2, or with any WebGL 2
 * when `force` is 'webgl' (to measure it); never when `force` is 'canvas'.
 */
export function webglUsable(kind: WebglKind, force?: unknown): boolean {
  if (force === 'canvas' || kind === 'none') {
    return false;
  }
  return kind === 'gpu' || force === 'webgl';
}
