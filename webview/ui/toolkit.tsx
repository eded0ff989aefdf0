// The toolkit's controls for the rest of the webview: every use of @vscode/webview-ui-toolkit (archived upstream)
// goes through these small components and their plain props. With toolkitElements.ts (which defines the
// elements), the only code that knows the toolkit: swapping it for another (or for plain elements styled with the
// theme variables) means rewriting these two files alone.
//
// The components render the toolkit's custom elements: React 19 sets their properties (value, checked,
// disabled...) directly; their events are listened to here. The elements are defined by a second bundle,
// dist/webview-toolkit.js, loaded once the graph has been drawn (registerToolkit).
import { useEffect, useRef, type DetailedHTMLProps, type HTMLAttributes, type ReactNode, type RefObject } from 'react';

/** This bundle's own <script> (only set while the bundle first runs): the toolkit bundle sits beside it. */
const ownScript = document.currentScript as HTMLScriptElement | null;
let requested = false;
/**
 * Loads dist/webview-toolkit.js, which defines the elements. App calls it right after the first frame that shows
 * the graph: evaluating the toolkit and upgrading the thirty or so elements on the page costs more than drawing a
 * 200-node graph (npm run bench:editor), and the graph is what a person opened the file for. Until then the
 * elements are in the page, undefined and hidden (`:not(:defined)` in panels.css); they upgrade in place,
 * keeping the attributes React gave them. The script carries this page's nonce, which the CSP asks of scripts.
 */
export function registerToolkit(): void {
  if (requested || !ownScript?.src) return;
  requested = true;
  const s = document.createElement('script');
  s.src = new URL('webview-toolkit.js', ownScript.src).href;
  s.nonce = ownScript.nonce;
  s.addEventListener('error', () => console.error(`Backprop Studio: could not load ${s.src}; the editor's buttons and fields stay hidden.`));
  document.head.appendChild(s);
}

type ElementProps = DetailedHTMLProps<HTMLAttributes<HTMLElement>, HTMLElement> & {
  [prop: string]: unknown;
  ref?: RefObject<HTMLElement | null>;
};
declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'vscode-badge': ElementProps;
      'vscode-button': ElementProps;
      'vscode-checkbox': ElementProps;
      'vscode-divider': ElementProps;
      'vscode-dropdown': ElementProps;
      'vscode-option': ElementProps;
      'vscode-text-field': ElementProps;
    }
  }
}

/** Calls the latest `handler` for `type` events on the element in `ref`. */
function useEvent(ref: RefObject<HTMLElement | null>, type: string, handler: ((e: Event) => void) | undefined): void {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const listener = (e: Event) => latest.current?.(e);
    el.addEventListener(type, listener);
    return () => el.removeEventListener(type, listener);
  }, [ref, type]);
}

const valueOf = (el: HTMLElement | null): string => String((el as { value?: unknown } | null)?.value ?? '');

export interface ButtonProps {
  children?: ReactNode;
  onClick?: () => void;
  /** 'primary' (default), 'secondary', or 'icon' (a toolbar button holding one codicon). */
  appearance?: 'primary' | 'secondary' | 'icon';
  title?: string;
  /** The accessible name, when it is not the title. */
  ariaLabel?: string;
  disabled?: boolean;
  className?: string;
  'data-testid'?: string;
}

export function Button({ children, onClick, appearance = 'primary', title, ariaLabel, disabled, className, ...rest }: ButtonProps) {
  return (
    <vscode-button
      appearance={appearance}
      title={title}
      aria-label={ariaLabel ?? title}
      disabled={!!disabled}
      className={className}
      onClick={onClick}
      {...rest}
    >
      {children}
    </vscode-button>
  );
}

export interface TextFieldProps {
  value: string;
  /** Every keystroke. */
  onInput?: (value: string) => void;
  /** Enter, or leaving the field after a change (once per typed value). */
  onCommit?: (value: string) => void;
  placeholder?: string;
  disabled?: boolean;
  /** Marks the field as invalid (for screen readers and the error outline). */
  invalid?: boolean;
  ariaLabel?: string;
  className?: string;
  id?: string;
  'data-testid'?: string;
  children?: ReactNode;
}

export function TextField({ value, onInput, onCommit, placeholder, disabled, invalid, ariaLabel, className, id, children, ...rest }: TextFieldProps) {
  const ref = useRef<HTMLElement | null>(null);
  // Enter fires keydown and then change: commit each typed value once.
  const committed = useRef<string | null>(null);
  const commit = () => {
    const v = valueOf(ref.current);
    if (committed.current === v) return;
    committed.current = v;
    onCommit?.(v);
  };
  useEvent(ref, 'input', () => {
    committed.current = null;
    onInput?.(valueOf(ref.current));
  });
  useEvent(ref, 'change', commit);
  useEvent(ref, 'keydown', (e) => {
    if ((e as KeyboardEvent).key === 'Enter') commit();
  });
  return (
    <vscode-text-field
      ref={ref}
      id={id}
      value={value}
      placeholder={placeholder}
      disabled={!!disabled}
      aria-label={ariaLabel}
      aria-invalid={invalid ? 'true' : undefined}
      className={`${className ?? ''}${invalid ? ' invalid' : ''}`}
      {...rest}
    >
      {children}
    </vscode-text-field>
  );
}

export interface CheckboxProps {
  checked: boolean;
  onChange?: (checked: boolean) => void;
  disabled?: boolean;
  children?: ReactNode;
  'data-testid'?: string;
}

export function Checkbox({ checked, onChange, disabled, children, ...rest }: CheckboxProps) {
  const ref = useRef<HTMLElement | null>(null);
  useEvent(ref, 'change', () => {
    const next = !!(ref.current as { checked?: boolean } | null)?.checked;
    if (next !== checked) onChange?.(next);
  });
  return (
    <vscode-checkbox ref={ref} checked={checked} disabled={!!disabled} {...rest}>
      {children}
    </vscode-checkbox>
  );
}

export interface DropdownOption {
  value: string;
  label: string;
}

export interface DropdownProps {
  value: string;
  options: readonly DropdownOption[];
  onChange?: (value: string) => void;
  disabled?: boolean;
  ariaLabel?: string;
  className?: string;
  'data-testid'?: string;
}

/**
 * One element per option list. The toolkit's dropdown looks its `value` up in the options it has seen, and it
 * sees changed options only on its slot's `slotchange` event, which comes after React has put the new options in
 * the page and set the new value in the same commit. A value missing from the old options resets the element to
 * '' and to its first option, and when the options do arrive the '' finds the first option whose value is ''
 * (the inspector's "(not connected)"): a wired port showed as not connected after switching nodes. An element
 * made for the new list has its value before it has options, and picks the option with that value once they
 * arrive. So a changed list (values or labels) mounts a fresh element; with the same list the element stays,
 * keeping focus, and only its value changes, which it resolves against options it already knows.
 */
export function Dropdown(props: DropdownProps) {
  return <DropdownElement key={optionListKey(props.options)} {...props} />;
}

const optionListKey = (options: readonly DropdownOption[]): string => JSON.stringify(options.map((o) => [o.value, o.label]));

function DropdownElement({ value, options, onChange, disabled, ariaLabel, className, ...rest }: DropdownProps) {
  const ref = useRef<HTMLElement | null>(null);
  useEvent(ref, 'change', () => {
    const next = valueOf(ref.current);
    if (next !== value) onChange?.(next);
  });
  // The value alone says which option is chosen: options marked `selected` as well would be a second source of
  // truth, one the element rewrites as the choice moves (and, set as attributes before the toolkit is defined,
  // one that outlives the choice).
  return (
    <vscode-dropdown ref={ref} value={value} disabled={!!disabled} aria-label={ariaLabel} className={className} {...rest}>
      {options.map((o) => (
        <vscode-option key={o.value} value={o.value}>
          {o.label}
        </vscode-option>
      ))}
    </vscode-dropdown>
  );
}

export function Divider() {
  return <vscode-divider role="separator" />;
}

export function Badge({ children, title }: { children: ReactNode; title?: string }) {
  return <vscode-badge title={title}>{children}</vscode-badge>;
}
