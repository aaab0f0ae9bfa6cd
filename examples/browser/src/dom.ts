// How the page makes elements. Text only ever goes in through textContent, never as markup, so a
// title such as `<img src=x onerror=...>` from a catalogue or an uploaded file stays text.

export interface ElementProps {
  className?: string;
  text?: string;
  /** Set with setAttribute: values are never parsed as markup. */
  attrs?: Record<string, string>;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: ElementProps = {},
  children: ReadonlyArray<Node | string> = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  for (const [name, value] of Object.entries(props.attrs ?? {})) node.setAttribute(name, value);
  node.append(...children); // strings become text nodes
  return node;
}

/** The element with this id; a missing one is a bug in index.html, so it throws at startup. */
export function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`index.html has no element #${id}`);
  return node as T;
}

/** Shows a message in an element that is hidden while empty (errors, notes). */
export function showMessage(node: HTMLElement, message: string | undefined): void {
  node.textContent = message ?? '';
  node.hidden = !message;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
