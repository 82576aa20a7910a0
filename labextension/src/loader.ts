/**
 * The module every kerasviz widget sends as its `_esm`: a few KB that find the
 * renderer (runtime.ts) and hand the view to it.
 *
 * The kernel names the renderer build it wants (`_runtime_id`, a hash of
 * kerasviz/static/widget.js and widget.css). The page has it when the kerasviz
 * labextension of the same build is loaded (JupyterLab, Notebook 7) or when an
 * earlier widget loaded it; otherwise this asks the kernel once (custom message
 * `kv_runtime`; the reply carries the module and its stylesheet as buffers) and
 * every widget of the page waits for that one answer.
 */

import { findRuntime, forgetRuntime, registerRuntime, type IRuntime } from './runtime';

/** How long to wait for the kernel to send the renderer. */
export const RUNTIME_TIMEOUT_MS = 60_000;

/** The part of anywidget's model the loader uses. */
export interface ILoaderModel {
  get(name: string): unknown;
  on(event: string, callback: (...args: any[]) => void): void;
  off(event?: string | null, callback?: ((...args: any[]) => void) | null): void;
  send(content: unknown, callbacks?: unknown, buffers?: unknown[]): void;
}

/** The renderer `id`: this page's, or the kernel's (asked once per page). */
export function loadRuntime(
  model: ILoaderModel,
  id: string,
  timeoutMs = RUNTIME_TIMEOUT_MS
): Promise<IRuntime> {
  const found = findRuntime(id);
  if (found !== undefined) {
    return found;
  }
  const loading = askKernel(model, id, timeoutMs);
  registerRuntime(id, loading);
  loading.catch(() => forgetRuntime(id, loading));
  return loading;
}

function askKernel(model: ILoaderModel, id: string, timeoutMs: number): Promise<IRuntime> {
  return new Promise<IRuntime>((resolve, reject) => {
    const timer = setTimeout(() => {
      model.off('msg:custom', onMessage);
      reject(
        new Error(
          `the kernel did not send kerasviz's renderer within ${Math.round(timeoutMs / 1000)} s. ` +
            'Is the kernel running? Re-run the cell that shows this widget.'
        )
      );
    }, timeoutMs);
    const onMessage = (msg: unknown, buffers?: unknown[]): void => {
      const m = msg as { type?: unknown; id?: unknown; error?: unknown } | null;
      if (m === null || typeof m !== 'object' || m.type !== 'kv_runtime' || m.id !== id) {
        return;
      }
      clearTimeout(timer);
      model.off('msg:custom', onMessage);
      if (typeof m.error === 'string') {
        reject(new Error(m.error));
        return;
      }
      importRuntime(id, buffers ?? []).then(resolve, reject);
    };
    model.on('msg:custom', onMessage);
    model.send({ type: 'kv_runtime', id });
  });
}

/** Import the module of the reply's first buffer; add its stylesheet (the second). */
async function importRuntime(id: string, buffers: unknown[]): Promise<IRuntime> {
  const [js, css] = buffers.map(asBytes);
  if (js === null || js === undefined) {
    throw new Error("the kernel's reply holds no renderer module");
  }
  if (css !== null && css !== undefined && typeof document !== 'undefined') {
    const style = document.createElement('style');
    style.dataset.kerasvizRuntime = id;
    style.textContent = new TextDecoder().decode(css);
    document.head.append(style);
  }
  const url = URL.createObjectURL(new Blob([js], { type: 'text/javascript' }));
  try {
    const module = (await import(/* webpackIgnore: true */ url)) as { default?: IRuntime };
    if (typeof module.default?.render !== 'function') {
      throw new Error("the kernel's renderer module has no render()");
    }
    return module.default;
  } finally {
    URL.revokeObjectURL(url);
  }
}

function asBytes(buffer: unknown): Uint8Array<ArrayBuffer> | null {
  if (buffer instanceof ArrayBuffer) {
    return new Uint8Array(buffer);
  }
  if (ArrayBuffer.isView(buffer)) {
    return new Uint8Array(
      buffer.buffer as ArrayBuffer,
      buffer.byteOffset,
      buffer.byteLength
    ).slice();
  }
  return null;
}

/** Draw the widget: a line of text while the renderer loads, its error if it fails. */
async function render({
  model,
  el
}: {
  model: ILoaderModel;
  el: HTMLElement;
}): Promise<(() => void) | undefined> {
  const id = model.get('_runtime_id');
  const note = document.createElement('div');
  note.className = 'kv-root kv-note kv-loading';
  note.textContent = 'Loading kerasviz…';
  el.append(note);
  let runtime: IRuntime;
  try {
    runtime = await loadRuntime(model, typeof id === 'string' ? id : '');
  } catch (error) {
    note.className = 'kv-root kv-note kv-note-error';
    note.textContent = `kerasviz: cannot draw this widget: ${error instanceof Error ? error.message : String(error)}`;
    return undefined;
  }
  note.remove();
  const cleanup = await runtime.render({ model, el });
  return typeof cleanup === 'function' ? (cleanup as () => void) : undefined;
}

/** The anywidget module: `export default { render }`. */
export default { render };
