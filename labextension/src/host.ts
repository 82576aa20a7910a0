/**
 * What the host of a graph view (the live widget or the MIME renderer) offers it.
 * Hand-written: an interface between TypeScript modules, not a payload (payload
 * types are generated into types.ts from kerasviz/schema/).
 */

import type { IWeightStats } from './types';

/** What the host (widget or MIME renderer) offers the graph view. */
export interface IHost {
  /** Called when the user selects a node (or clears the selection: null). */
  onSelect?(id: string | null): void;
  /** Called when the user picks another overlay (null: none). */
  onOverlay?(key: string | null): void;
  /**
   * Asks the kernel to run the model once on random inputs and send back the
   * payload with activation statistics; rejects with the kernel's message.
   * Absent without a kernel.
   */
  requestActivations?(): Promise<void>;
  /** Asks the kernel for weight statistics of a node; absent without a kernel. */
  requestWeightStats?(id: string): Promise<IWeightStats[]>;
}
