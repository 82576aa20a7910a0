/**
 * The data the renderer reads: the view payload (labextension/VIEW_PAYLOAD.md)
 * wrapping a ModelGraph (kerasviz/schema/graph.schema.json).
 */

/** A tensor shape; `null` is an unknown dimension (Keras's `None`). */
export type Shape = ReadonlyArray<number | null>;

/** Parameter counts of one layer. */
export interface INodeParams {
  /** Trainable parameters. */
  trainable: number;
  /** Non-trainable parameters. */
  non_trainable: number;
}

/** One call of a layer in the graph (a shared layer has several). */
export interface ICall {
  /** Shapes of the flat tensor arguments. */
  input_shapes: Shape[];
  /** Shapes of the flat outputs. */
  output_shapes: Shape[];
}

/** One weight variable of a layer. */
export interface IWeight {
  /** Variable name. */
  name: string;
  /** Variable shape. */
  shape: number[];
  /** Variable dtype. */
  dtype: string;
  /** Whether the optimiser updates it. */
  trainable: boolean;
}

/** A layer (or nested model) of the ModelGraph. */
export interface IGraphNode {
  /** Unique id, path-qualified inside nested models (`outer/inner/dense`). */
  id: string;
  /** Layer name. */
  name: string;
  /** Python class name. */
  class_name: string;
  /** Public import path of the class. */
  module?: string;
  /** Layer family (input, dense, conv, ..., model, op, other). */
  kind: string;
  /** Id of the enclosing nested-model node, or null at the top level. */
  parent: string | null;
  /** Parameter counts. */
  params: INodeParams;
  /** One entry per call of the layer. */
  calls: ICall[];
  /** Compute dtype. */
  dtype: string | null;
  /** Weight variables. */
  weights: IWeight[];
  /** Only the non-default config entries; null when get_config() failed. */
  config: Record<string, unknown> | null;
  /** What failed while reading this layer. */
  error: string | null;
}

/** A tensor between two layers. */
export interface IGraphEdge {
  /** Producing node id. */
  source: string;
  /** Consuming node id. */
  target: string;
  /** Tensor shape, if known. */
  shape: Shape | null;
  /** Tensor dtype, if known. */
  dtype: string | null;
  /** Which flat output of the source's call. */
  source_output: number;
  /** Which call of the source produced the tensor. */
  source_call?: number;
  /** Which flat tensor argument of the target's call. */
  target_arg: number;
  /** Which call of the target. */
  target_call: number;
}

/** Model-level facts of the ModelGraph. */
export interface IModelInfo {
  /** Model name. */
  name: string;
  /** Python class of the model. */
  class_name?: string;
  /** How the model was written. */
  api: 'sequential' | 'functional' | 'subclassed' | 'layer';
  /** Whether the model is built (has weights and shapes). */
  built: boolean;
  /** Whether nested models were opened. */
  expand_nested?: boolean;
  /** Parameter counts. */
  params: { total: number; trainable: number; non_trainable: number };
  /** Node ids of the model inputs. */
  inputs: string[];
  /** Node ids producing the model outputs. */
  outputs: string[];
  /** Shapes of the model inputs. */
  input_shapes?: Array<Shape | null>;
  /** Shapes of the model outputs. */
  output_shapes?: Array<Shape | null>;
}

/** The ModelGraph JSON (schema version 1). */
export interface IModelGraph {
  /** Schema version. */
  version: number;
  /** Model-level facts. */
  model: IModelInfo;
  /** Layers. */
  nodes: IGraphNode[];
  /** Tensors. */
  edges: IGraphEdge[];
  /** Default config per `module.ClassName`. */
  config_defaults: Record<string, Record<string, unknown>>;
}

/** A container grouping a run of layers by name. */
export interface IBlock {
  /** Block id (`block:...`). */
  id: string;
  /** Display label. */
  label: string;
  /** Enclosing block or nested-model id, or null. */
  parent: string | null;
}

/** Legend entry of one node kind. */
export interface IKindStyle {
  /** Swatch colour (CSS colour or `var(--jp-...)`). */
  color: string;
  /** Human label. */
  label: string;
}

/** One rule of a cytoscape stylesheet, as JSON. */
export interface IStyleRule {
  /** Cytoscape selector. */
  selector: string;
  /** Style properties. */
  style: Record<string, string | number>;
}

/** Display options. */
export interface IViewOptions {
  /** Layout direction. */
  rankdir?: 'TB' | 'LR';
  /** Show output shapes as edge labels. */
  show_shapes?: boolean;
  /** Above this many visible nodes, use the precomputed positions. */
  dagre_max_nodes?: number;
  /** Node id selected at first view. */
  selected?: string | null;
}

/** The view payload: what the renderer reads. */
export interface IViewPayload {
  /** Envelope version (1). */
  kerasviz_view: number;
  /** The ModelGraph, read with expand_nested=True. */
  graph: IModelGraph;
  /** Containers grouping runs of layers. */
  blocks?: IBlock[];
  /** View parent of a node or block. */
  parents?: Record<string, string>;
  /** Containers collapsed at first view. */
  collapsed?: string[];
  /** Legend and cytoscape stylesheet. */
  style?: {
    kinds?: Record<string, IKindStyle>;
    /** The legend's order (object keys lose it: a saved notebook sorts them). */
    order?: string[];
    stylesheet?: IStyleRule[];
  };
  /** Display options. */
  options?: IViewOptions;
  /** Precomputed positions (TB) of every non-container node, or null. */
  positions?: Record<string, [number, number]> | null;
  /** Plain-text banners. */
  notes?: string[];
  /** Nodes to mark (class `kv-highlight`), with why, in plain text. */
  highlight?: Record<string, string>;
}

/** Statistics of one weight variable, computed by the kernel. */
export interface IWeightStats {
  /** Variable name (or path). */
  name: string;
  /** Variable shape. */
  shape: number[];
  /** Variable dtype. */
  dtype: string;
  /** Mean of the finite values (absent when there are none). */
  mean?: number;
  /** Standard deviation of the finite values. */
  std?: number;
  /** Smallest finite value. */
  min?: number;
  /** Largest finite value. */
  max?: number;
  /** How many values are NaN or infinite. */
  non_finite?: number;
  /** Histogram of the finite values: `counts.length + 1 == edges.length`. */
  histogram?: { counts: number[]; edges: number[] };
}

/** What the host (widget or MIME renderer) offers the graph view. */
export interface IHost {
  /** Called when the user selects a node (or clears the selection: null). */
  onSelect?(id: string | null): void;
  /** Asks the kernel for weight statistics of a node; absent without a kernel. */
  requestWeightStats?(id: string): Promise<IWeightStats[]>;
}
