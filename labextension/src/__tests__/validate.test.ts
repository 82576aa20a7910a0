import { describe, expect, it } from 'vitest';

import { GRAPH_VERSION, validatePayload, VIEW_VERSION } from '../validate';
import { checkPayload } from '../viewgraph';
import { loadPayload } from './helpers';

/** The message of a refused payload (fails the test when it was accepted). */
function refusal(data: unknown, parseText = true): string {
  const result = validatePayload(data, parseText);
  if (result.ok) {
    throw new Error('payload was accepted');
  }
  return result.message;
}

describe('validatePayload', () => {
  it('accepts every fixture and returns the same object', () => {
    for (const name of ['toy', 'seed', 'nested', 'resnet_lite', 'xss']) {
      const payload = loadPayload(name);
      const result = validatePayload(payload);
      expect(result.ok, name).toBe(true);
      expect(result.ok && result.payload).toBe(payload);
    }
  });

  it('parses JSON text, and says when text is not JSON', () => {
    const payload = loadPayload('toy');
    const result = validatePayload(JSON.stringify(payload));
    expect(result.ok && result.payload.graph.model.name).toBe('toy');
    expect(refusal('{"kerasviz_view": 1, graph')).toMatch(
      /^kerasviz: cannot show this graph: the output data is not JSON\. Run the cell again/
    );
    // GraphView is given objects: text is refused there, not parsed
    expect(refusal(JSON.stringify(payload), false)).toMatch(
      /should be a JSON object, but it is a string/
    );
  });

  it('says what it got when the payload is not an object', () => {
    expect(refusal(null)).toMatch(/empty/);
    expect(refusal(undefined)).toMatch(/empty/);
    expect(refusal(42)).toBe(
      'kerasviz: cannot show this graph: the view payload should be a JSON object, but it is a number (42).'
    );
    expect(refusal([1, 2])).toMatch(/but it is a list of 2 items/);
    expect(refusal('"just text"')).toMatch(/but it is a string \("just text"\)/);
  });

  it('refuses payloads without the kerasviz envelope or with another version', () => {
    expect(refusal({ graph: {} })).toMatch(
      /not a kerasviz view \(it has no "kerasviz_view" version\)/
    );
    expect(refusal({ kerasviz_view: 99 })).toBe(
      'kerasviz: cannot show this graph: this view payload has version 99, but this renderer ' +
        `reads version ${VIEW_VERSION}. Upgrade kerasviz so that the Python package and the ` +
        'front end match, then run the cell again.'
    );
    expect(refusal({ kerasviz_view: '1' })).toMatch(/has version "1", but/);
  });

  it('refuses a missing or unknown graph', () => {
    const p = loadPayload('toy');
    expect(refusal({ kerasviz_view: 1 })).toMatch(/the view payload has no model graph\.$/);
    expect(refusal({ ...p, graph: { ...p.graph, version: GRAPH_VERSION + 1 } })).toMatch(
      new RegExp(
        `unsupported model graph schema version ${GRAPH_VERSION + 1} \\(expected ${GRAPH_VERSION}\\)`
      )
    );
    expect(refusal({ ...p, graph: { ...p.graph, model: undefined } })).toMatch(
      /no model description/
    );
    expect(refusal({ ...p, graph: { ...p.graph, nodes: {} } })).toMatch(/no node or edge list/);
  });

  it('refuses nodes and edges the renderer could not draw', () => {
    const p = loadPayload('toy');
    const nodes = p.graph.nodes;
    const withNodes = (n: unknown[]) => ({ ...p, graph: { ...p.graph, nodes: n } });
    expect(refusal(withNodes([...nodes, 'x']))).toMatch(
      new RegExp(`graph node #${nodes.length} has no id or name`)
    );
    expect(refusal(withNodes([...nodes, { ...nodes[0] }]))).toMatch(
      /two graph nodes have the id "in"/
    );
    expect(refusal(withNodes([{ ...nodes[0], calls: undefined }, ...nodes.slice(1)]))).toMatch(
      /graph node "in" is incomplete/
    );
    const edge = { ...p.graph.edges[0], target: 'nowhere' };
    expect(refusal({ ...p, graph: { ...p.graph, edges: [edge] } })).toMatch(
      /graph edge #0 refers to a node that does not exist: "nowhere"/
    );
    expect(refusal({ ...p, graph: { ...p.graph, edges: [null] } })).toMatch(
      /graph edge #0 has no source or target/
    );
  });

  it('quotes user data briefly', () => {
    const long = 'x'.repeat(500);
    const message = refusal({ kerasviz_view: long });
    expect(message.length).toBeLessThan(300);
    expect(message).toContain('…');
  });

  it('is what checkPayload (used by GraphView) reports', () => {
    expect(checkPayload(loadPayload('toy'))).toBeNull();
    expect(checkPayload({ kerasviz_view: 3 })).toBe(refusal({ kerasviz_view: 3 }));
  });
});
