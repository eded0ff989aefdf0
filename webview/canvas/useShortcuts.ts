// Keyboard shortcuts of the canvas and the clipboard: Ctrl/Cmd+A select all, Escape clear, Ctrl+C copy,
// Ctrl+X cut, Ctrl+V paste, Ctrl+D duplicate, F2 rename. (Delete/Backspace are React Flow's, see Canvas.)
// Copy writes our JSON to the system clipboard through the copy event (no permission needed) and keeps it in
// memory too, since a webview's clipboard access may be blocked; paste prefers the system clipboard's text when
// it holds our nodes.
import { useEffect, useRef } from 'react';
import { parseClip, type ClipPayload } from '../model/clipboard';

export interface ShortcutHandlers {
  readOnly: boolean;
  selectedIds: () => string[];
  selectAll: () => void;
  clearSelection: () => void;
  copy: (ids: string[]) => ClipPayload | null;
  paste: (payload: ClipPayload, times: number) => void;
  remove: (ids: string[]) => void;
  duplicate: (ids: string[]) => void;
  focusRename: () => void;
}

/** Whether a key event belongs to a text field (ours, the toolkit's in its shadow root, or any input). */
export function inTextField(e: Event): boolean {
  for (const t of e.composedPath()) {
    if (!(t instanceof HTMLElement)) continue;
    const tag = t.tagName;
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || t.isContentEditable) return true;
    if (tag === 'VSCODE-TEXT-FIELD' || tag === 'VSCODE-TEXT-AREA' || tag === 'VSCODE-DROPDOWN') return true;
  }
  return false;
}

export function useShortcuts(h: ShortcutHandlers): void {
  const handlers = useRef(h);
  handlers.current = h;
  const memory = useRef<{ payload: ClipPayload; times: number } | null>(null);

  useEffect(() => {
    let pasteFallback: ReturnType<typeof setTimeout> | undefined;
    const doPaste = (payload: ClipPayload | null) => {
      if (!payload || handlers.current.readOnly) return;
      const m = memory.current;
      const times = m && JSON.stringify(m.payload) === JSON.stringify(payload) ? ++m.times : 1;
      if (!m || times === 1) memory.current = { payload, times };
      handlers.current.paste(payload, times);
    };
    const copyNow = (): ClipPayload | null => {
      const payload = handlers.current.copy(handlers.current.selectedIds());
      if (payload) memory.current = { payload, times: 0 };
      return payload;
    };

    const onKeyDown = (e: KeyboardEvent) => {
      if (inTextField(e)) return;
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      const H = handlers.current;
      if (mod && !e.shiftKey && !e.altKey) {
        if (key === 'a') {
          e.preventDefault();
          H.selectAll();
        } else if (key === 'c') {
          copyNow(); // the copy event that follows puts it on the system clipboard
        } else if (key === 'x' && !H.readOnly) {
          if (copyNow()) H.remove(H.selectedIds());
        } else if (key === 'v' && !H.readOnly) {
          // If no paste event follows (clipboard blocked), paste what was copied here.
          clearTimeout(pasteFallback);
          pasteFallback = setTimeout(() => doPaste(memory.current?.payload ?? null), 150);
        } else if (key === 'd' && !H.readOnly) {
          e.preventDefault();
          H.duplicate(H.selectedIds());
        }
      } else if (e.key === 'Escape') {
        H.clearSelection();
      } else if (e.key === 'F2' && !H.readOnly) {
        e.preventDefault();
        H.focusRename();
      }
    };
    const onCopy = (e: ClipboardEvent) => {
      if (inTextField(e)) return;
      const payload = copyNow();
      if (!payload || !e.clipboardData) return;
      e.clipboardData.setData('text/plain', JSON.stringify(payload, null, 2));
      e.preventDefault();
    };
    const onPaste = (e: ClipboardEvent) => {
      if (inTextField(e)) return;
      clearTimeout(pasteFallback);
      const text = e.clipboardData?.getData('text/plain') ?? '';
      e.preventDefault();
      doPaste(parseClip(text) ?? memory.current?.payload ?? null);
    };
    document.addEventListener('keydown', onKeyDown);
    document.addEventListener('copy', onCopy);
    document.addEventListener('cut', onCopy); // Ctrl+X deletes through its keydown; the event fills the clipboard
    document.addEventListener('paste', onPaste);
    return () => {
      clearTimeout(pasteFallback);
      document.removeEventListener('keydown', onKeyDown);
      document.removeEventListener('copy', onCopy);
      document.removeEventListener('cut', onCopy);
      document.removeEventListener('paste', onPaste);
    };
  }, []);
}
