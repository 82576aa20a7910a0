/**
 * One renderer per page, one payload per output: what kerasviz's live widgets
 * share through the page.
 *
 * Every kerasviz widget's own module is a small loader (loader.ts). The renderer
 * (widget.ts with cytoscape.js, some 500 KB) is found in this page-wide registry,
 * keyed by the id of its build: the kerasviz labextension puts its own copy there
 * when JupyterLab or Notebook 7 load it, so no widget sends it at all; in any other
 * anywidget host the first widget asks its kernel for it once and every later one
 * finds it here.
 *
 * A widget's payload (its graph) is not a synced trait either. The kerasviz MIME
 * renderer, which already holds the output's copy (the packed payload of the
 * display bundle), offers it here under the widget's view key before it hands the
 * output over to the live widget; the widget takes it, and asks its kernel only
 * when nothing was offered (another host, a widget inside a box) or what was
 * offered is older than the widget's revision.
 *
 * Keys are `Symbol.for(...)` on `globalThis`, so separate bundles (the labextension,
 * a runtime loaded from a kernel, the loader) meet there. Nothing here touches the
 * DOM.
 */

/** What a renderer module exports: anywidget's `render`. */
export interface IRuntime {
  render(props: { model: unknown; el: HTMLElement }): unknown;
}

/** A payload the MIME renderer offers a live view: its data and revision. */
export interface IOffer {
  revision: number;
  data: unknown;
}

const RUNTIMES = Symbol.for('kerasviz.runtimes');
const OFFERS = Symbol.for('kerasviz.offers');

type Registry<T> = Map<string, T>;

function registry<T>(key: symbol): Registry<T> {
  const g = globalThis as unknown as Record<symbol, Registry<T> | undefined>;
  let map = g[key];
  if (!(map instanceof Map)) {
    map = new Map<string, T>();
    g[key] = map;
  }
  return map;
}

/** Register (or start loading) the renderer built as `id`; the first one stays. */
export function registerRuntime(id: string, runtime: IRuntime | Promise<IRuntime>): void {
  const runtimes = registry<Promise<IRuntime>>(RUNTIMES);
  if (!runtimes.has(id)) {
    runtimes.set(id, Promise.resolve(runtime));
  }
}

/** The renderer built as `id`, if this page has it or is loading it. */
export function findRuntime(id: string): Promise<IRuntime> | undefined {
  return registry<Promise<IRuntime>>(RUNTIMES).get(id);
}

/** Forget a renderer that failed to load, so that the next widget asks again. */
export function forgetRuntime(id: string, runtime: Promise<IRuntime>): void {
  const runtimes = registry<Promise<IRuntime>>(RUNTIMES);
  if (runtimes.get(id) === runtime) {
    runtimes.delete(id);
  }
}

/**
 * Offer the payload of the output showing the widget whose view key is `key`;
 * returns the function that withdraws it (when the output goes away).
 */
export function offerPayload(key: string, offer: IOffer): () => void {
  const offers = registry<IOffer>(OFFERS);
  offers.set(key, offer);
  return () => {
    if (offers.get(key) === offer) {
      offers.delete(key);
    }
  };
}

/** The payload offered for `key`, if one is at least at `revision`. */
export function takePayload(key: string, revision: number): IOffer | undefined {
  const offer = registry<IOffer>(OFFERS).get(key);
  return offer !== undefined && offer.revision >= revision ? offer : undefined;
}
