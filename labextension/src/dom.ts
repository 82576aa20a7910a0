/**
 * Building DOM from user data safely: text goes in through `textContent` only.
 * Nothing in this package sets innerHTML, outerHTML or insertAdjacentHTML.
 */

/** A new element with an optional class list and text content. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (className) {
    element.className = className;
  }
  if (text !== undefined) {
    element.textContent = text;
  }
  return element;
}

/** A button with text, a class and a click handler. */
export function button(
  text: string,
  className: string,
  onClick: (event: MouseEvent) => void,
  title?: string
): HTMLButtonElement {
  const b = h('button', className, text);
  b.type = 'button';
  if (title) {
    b.title = title;
  }
  b.addEventListener('click', onClick);
  return b;
}

/** A two-column table of label / value rows (values are text or elements). */
export function keyValueTable(
  rows: ReadonlyArray<[string, string | Node]>,
  className = 'kv-table kv-facts'
): HTMLTableElement {
  const table = h('table', className);
  const body = h('tbody');
  for (const [key, value] of rows) {
    const tr = h('tr');
    tr.append(h('th', undefined, key));
    const td = h('td');
    if (typeof value === 'string') {
      td.textContent = value;
    } else {
      td.append(value);
    }
    tr.append(td);
    body.append(tr);
  }
  table.append(body);
  return table;
}

/** A table with a header row; cells are text or elements. */
export function dataTable(
  headers: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string | Node>>,
  className = 'kv-table'
): HTMLTableElement {
  const table = h('table', className);
  const head = h('thead');
  const hr = h('tr');
  for (const title of headers) {
    hr.append(h('th', undefined, title));
  }
  head.append(hr);
  const body = h('tbody');
  for (const row of rows) {
    const tr = h('tr');
    for (const cell of row) {
      const td = h('td');
      if (typeof cell === 'string') {
        td.textContent = cell;
      } else {
        td.append(cell);
      }
      tr.append(td);
    }
    body.append(tr);
  }
  table.append(head, body);
  return table;
}

/** Remove every child of an element. */
export function clear(element: Element): void {
  while (element.firstChild) {
    element.removeChild(element.firstChild);
  }
}
