/// <reference types="node" />
/**
 * Test helpers: load fixtures, index elements.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { vi } from 'vitest';

import type { IEdgeData, IElementDef, INodeData } from '../elements';
import type { IWidgetModel } from '../widget';
import type { IViewPayload } from '../types';
import { offerPayload } from '../runtime';
import { ViewGraph } from '../viewgraph';

/** A fixture payload by file stem (src/__tests__/fixtures/<name>.json). */
export function loadPayload(name: string): IViewPayload {
  const path = join(__dirname, 'fixtures', `${name}.json`);
  return JSON.parse(readFileSync(path, 'utf-8')) as IViewPayload;
}

/** A ViewGraph of a fixture. */
export function loadGraph(name: string): ViewGraph {
  return new ViewGraph(loadPayload(name));
}

/** Node elements of a build, by id. */
export function nodesOf(
  elements: IElementDef[]
): Map<string, { data: INodeData; classes: string[] }> {
  const out = new Map<string, { data: INodeData; classes: string[] }>();
  for (const e of elements) {
    if (e.group === 'nodes') {
      out.set(e.data.id, {
        data: e.data as INodeData,
        classes: e.classes.split(' ').filter(Boolean)
      });
    }
  }
  return out;
}

/** Edge elements of a build as `source->target` => data. */
export function edgesOf(elements: IElementDef[]): Map<string, IEdgeData & { classes: string[] }> {
  const out = new Map<string, IEdgeData & { classes: string[] }>();
  for (const e of elements) {
    if (e.group === 'edges') {
      const d = e.data as IEdgeData;
      out.set(`${d.source}->${d.target}`, { ...d, classes: e.classes.split(' ').filter(Boolean) });
    }
  }
  return out;
}

/**
 * A stand-in for anywidget's model: traits in a plain object, sends and saves
 * recorded (`saved` gets the selection at each save), events dispatched by `emit`.
 */
export function fakeWidgetModel(initial: Record<string, unknown> = {}) {
  const traits: Record<string, unknown> = { ...initial };
  const listeners = new Map<string, Set<(...args: any[]) => void>>();
  const sent: unknown[] = [];
  const saved: unknown[] = [];
  const model: IWidgetModel = {
    get: name => traits[name],
    set: (name, value) => {
      traits[name] = value;
    },
    save_changes: vi.fn(() => {
      saved.push(traits.selected);
    }),
    on: (event, cb) => {
      if (!listeners.has(event)) {
        listeners.set(event, new Set());
      }
      listeners.get(event)!.add(cb);
    },
    off: (event, cb) => {
      if (event && cb) {
        listeners.get(event)?.delete(cb);
      }
    },
    send: vi.fn(content => {
      sent.push(content);
    })
  };
  const emit = (event: string, ...args: unknown[]) => {
    for (const cb of listeners.get(event) ?? []) {
      cb(...args);
    }
  };
  return { model, traits, sent, saved, emit, listeners };
}

let liveKeys = 0;

/**
 * {@link fakeWidgetModel} for a live widget, whose `data` is no synced trait
 * (runtime.ts): the initial `data` is offered under the model's `_view_key` as
 * the MIME renderer would, and `emit('change:data')` after a change of
 * `traits.data` arrives as the kernel's `kv_payload` push with the next revision.
 * Await {@link settle} after it: the view draws the payload once it is decoded.
 */
export function fakeLiveModel(initial: Record<string, unknown> = {}) {
  const { data, ...rest } = initial;
  const key = `test-view-${++liveKeys}`;
  const fake = fakeWidgetModel({ ...rest, _view_key: key, _revision: 0 });
  fake.traits.data = data;
  offerPayload(key, { revision: 0, data });
  let revision = 0;
  const emit = (event: string, ...args: unknown[]) => {
    if (event === 'change:data') {
      revision += 1;
      fake.traits._revision = revision;
      fake.emit('msg:custom', { type: 'kv_payload', revision, data: fake.traits.data });
      return;
    }
    fake.emit(event, ...args);
  };
  return { ...fake, emit };
}

/** Let pending promises (a decode, a render) run. */
export function settle(): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, 0));
}
