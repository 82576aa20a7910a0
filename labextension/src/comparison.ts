/**
 * A `kerasviz.compare()` output: the payload's types and, for the JupyterLab MIME
 * renderer, {@link ComparisonPane}, the Lumino widget around the comparison view
 * (comparisonview.ts) that the live widget draws too. Drawn from
 * `application/vnd.kerasviz.comparison+json` when the live widget is gone.
 */

import { Widget } from '@lumino/widgets';

import { ComparisonView } from './comparisonview';
import type { GraphView } from './graphview';
import type { IComparisonPayload, IWeightStats } from './types';

export { COMPARISON_MIME_TYPE, COMPARISON_VERSION } from './contract';
export { ComparisonView, validateComparison, type ComparisonResult } from './comparisonview';

// The payload's types are generated from kerasviz/schema/comparison.schema.json.
export type {
  IComparisonColumn,
  IComparisonPayload,
  IDiffTable,
  IReason,
  IReasonGroup,
  IRowNodes,
  IVerdict
} from './types';

/** The selection of a comparison: a node id (or null) per column. */
export type SelectionPair = [string | null, string | null];

/** What a live host (the anywidget) gives the pane; a saved output gives nothing. */
export interface IComparisonHost {
  /** The user changed the selection (a click on a graph, a reason, a table row). */
  onSelect?(selected: SelectionPair): void;
  /** Weight statistics of a node of column `column`'s graph, from the kernel. */
  requestWeightStats?(column: number, node: string): Promise<IWeightStats[]>;
}

/**
 * A comparison as a Lumino widget, for the MIME renderer: the same
 * {@link ComparisonView} as the live widget. Without a host (a saved output) it is
 * read-only: no kernel, so no weight statistics and no selection sent anywhere.
 */
export class ComparisonPane extends Widget {
  constructor(payload: IComparisonPayload, host: IComparisonHost = {}) {
    const comparison = new ComparisonView(payload, host);
    super({ node: comparison.node });
    // kv-mime-graph: drawn from the payload, as a saved graph output is
    for (const box of comparison.node.querySelectorAll('.kv-cmp-graph')) {
      box.classList.add('kv-mime-graph');
    }
    this.comparison = comparison;
    this.views = comparison.views;
  }

  /** The comparison drawn. */
  readonly comparison: ComparisonView;

  /** The graphs drawn, one per column that has one. */
  readonly views: ReadonlyArray<GraphView>;

  /** Not a single graph. */
  readonly view = null;

  dispose(): void {
    if (!this.isDisposed) {
      for (const view of this.views) {
        view.dispose();
      }
    }
    super.dispose();
  }
}
