import { describe, expect, it } from 'vitest';

import {
  BIG_MIN_FONT_PX,
  BIG_VIEW_NODES,
  bigViewRules,
  isSoftwareGl,
  renderPlan,
  rendererOptions,
  webglUsable
} from '../lod';

describe('renderPlan', () => {
  it('keeps small and medium views as they are', () => {
    expect(renderPlan(10, true)).toEqual({ big: false, renderer: 'canvas' });
    expect(renderPlan(BIG_VIEW_NODES, true)).toEqual({ big: false, renderer: 'canvas' });
    expect(rendererOptions(renderPlan(100, true))).toEqual({});
  });

  it('draws a big view with WebGL when it may, else on a canvas', () => {
    expect(renderPlan(BIG_VIEW_NODES + 1, true)).toEqual({ big: true, renderer: 'webgl' });
    expect(renderPlan(10000, false)).toEqual({ big: true, renderer: 'canvas' });
  });

  it('gives each renderer its options', () => {
    expect(rendererOptions({ big: true, renderer: 'webgl' })).toMatchObject({
      renderer: { name: 'canvas', webgl: true }
    });
    const canvas = rendererOptions({ big: true, renderer: 'canvas' });
    expect(canvas).toMatchObject({ textureOnViewport: true, hideEdgesOnViewport: true });
    expect(canvas).not.toHaveProperty('renderer');
  });
});

describe('webglUsable', () => {
  it('uses a GPU, not a software rasterizer unless forced', () => {
    expect(webglUsable('gpu')).toBe(true);
    expect(webglUsable('software')).toBe(false);
    expect(webglUsable('software', 'webgl')).toBe(true);
    expect(webglUsable('gpu', 'canvas')).toBe(false);
    expect(webglUsable('none', 'webgl')).toBe(false);
    expect(webglUsable('gpu', 'something else')).toBe(true);
  });

  it('tells software renderers by name', () => {
    expect(
      isSoftwareGl(
        'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)'
      )
    ).toBe(true);
    expect(isSoftwareGl('llvmpipe (LLVM 15.0.6, 256 bits)')).toBe(true);
    expect(isSoftwareGl('ANGLE (Microsoft Basic Render Driver Direct3D11)')).toBe(true);
    expect(isSoftwareGl('ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0)')).toBe(
      false
    );
    expect(isSoftwareGl('Apple M1')).toBe(false);
  });
});

describe('bigViewRules', () => {
  it('skips tiny labels and straightens edges', () => {
    const rules = bigViewRules();
    const node = rules.find(r => r.selector === 'node');
    const edge = rules.find(r => r.selector === 'edge');
    expect(node?.style['min-zoomed-font-size']).toBe(BIG_MIN_FONT_PX);
    expect(edge?.style['curve-style']).toBe('straight');
  });
});
