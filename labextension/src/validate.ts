/**
 * Checks a view payload before anything is drawn: what came out of a notebook
 * file may be anything (hand-edited, truncated, from another kerasviz version).
 * Pure functions, no DOM; each refusal is one plain-text sentence for the user.
 */

import { GRAPH_VERSION, VIEW_VERSION } from './contract';
import type { IViewPayload } from './types';

export { GRAPH_VERSION, VIEW_VERSION } from './contract';

/** Longest piece of user data quoted back in a message. */
const QUOTE_MAX = 60;

/** The outcome of {@link validatePayload}. */
export type ValidationResult = { ok: true; payload: IViewPayload } | { ok: false; message: string };

/**
 * Check that `data` is a view payload this renderer can draw.
 *
 * A string is parsed as JSON first (MIME data may arrive as text) unless
 * `parseText` is false. Returns the payload, or a message saying what is wrong
 * and what to do.
 */
export function validatePayload(data: unknown, parseText = true): ValidationResult {
  let value = data;
  if (typeof value === 'string' && parseText) {
    try {
      value = JSON.parse(value);
    } catch {
      return refuse(
        'the output data is not JSON. Run the cell again to redraw the graph ' +
          `(received text starting ${quote(value)}).`
      );
    }
  }
  if (value === null || value === undefined) {
    return refuse('no graph to show (the view payload is empty).');
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    return refuse(`the view payload should be a JSON object, but it is ${describe(value)}.`);
  }
  const p = value as Record<string, unknown>;
  if (!('kerasviz_view' in p)) {
    return refuse(
      'this output is not a kerasviz view (it has no "kerasviz_view" version). ' +
        'Run the cell again to redraw the graph.'
    );
  }
  if (p.kerasviz_view !== VIEW_VERSION) {
    return refuse(
      `this view payload has version ${quote(p.kerasviz_view)}, but this renderer reads ` +
        `version ${VIEW_VERSION}. Upgrade kerasviz so that the Python package and the ` +
        'front end match, then run the cell again.'
    );
  }
  const problem = checkGraph(p.graph);
  return problem === null ? { ok: true, payload: value as IViewPayload } : refuse(problem);
}

/** What is wrong with `graph` (the ModelGraph inside the payload), or null. */
function checkGraph(graph: unknown): string | null {
  if (!isObject(graph)) {
    return 'the view payload has no model graph.';
  }
  if (graph.version !== GRAPH_VERSION) {
    return (
      `unsupported model graph schema version ${quote(graph.version)} (expected ` +
      `${GRAPH_VERSION}). Upgrade kerasviz, then run the cell again.`
    );
  }
  const model = graph.model;
  if (!isObject(model) || typeof model.name !== 'string') {
    return 'the model graph has no model description (graph.model).';
  }
  if (!Array.isArray(graph.nodes) || !Array.isArray(graph.edges)) {
    return 'the model graph has no node or edge list (graph.nodes, graph.edges).';
  }
  return checkNodes(graph.nodes) ?? checkEdges(graph.edges, graph.nodes);
}

function checkNodes(nodes: unknown[]): string | null {
  const seen = new Set<string>();
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    if (!isObject(n) || typeof n.id !== 'string' || typeof n.name !== 'string') {
      return `graph node #${i} has no id or name.`;
    }
    if (typeof n.class_name !== 'string' || !isObject(n.params) || !Array.isArray(n.calls)) {
      return `graph node ${quote(n.id)} is incomplete (class_name, params or calls missing).`;
    }
    if (seen.has(n.id)) {
      return `two graph nodes have the id ${quote(n.id)}.`;
    }
    seen.add(n.id);
  }
  return null;
}

function checkEdges(edges: unknown[], nodes: unknown[]): string | null {
  const ids = new Set(nodes.map(n => (n as { id: string }).id));
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i];
    if (!isObject(e) || typeof e.source !== 'string' || typeof e.target !== 'string') {
      return `graph edge #${i} has no source or target.`;
    }
    for (const end of [e.source, e.target]) {
      if (!ids.has(end)) {
        return `graph edge #${i} refers to a node that does not exist: ${quote(end)}.`;
      }
    }
  }
  return null;
}

function refuse(reason: string): ValidationResult {
  return { ok: false, message: `kerasviz: cannot show this graph: ${reason}` };
}

/** A plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) {
    return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  }
  return `a ${typeof value} (${quote(value)})`;
}

/** A short, printable rendering of user data for a message. */
export function quote(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value));
  } catch {
    text = String(value);
  }
  return text.length > QUOTE_MAX ? `${text.slice(0, QUOTE_MAX - 1)}…` : text;
}
