// The workspace's view preferences (protocol UiPrefs: legend and minimap folded or open, the overlay mode), as
// the host last sent them. The host keeps them in workspaceState, so every editor of the workspace shares them;
// a change here is shown at once and sent to the host, which stores it and tells every editor. No DOM here.
import { useCallback, useSyncExternalStore } from 'react';
import type { UiPrefs } from '../../protocol/messages';
import { post } from '../host';

type Listener = () => void;

export class UiPrefsState {
  private prefs: UiPrefs = {};
  private readonly listeners = new Set<Listener>();

  constructor(private readonly send: (patch: UiPrefs) => void) {}

  get current(): UiPrefs {
    return this.prefs;
  }

  /** The host's prefs (on load, and after any editor changed one). */
  apply(prefs: UiPrefs): void {
    this.prefs = { ...prefs };
    this.emit();
  }

  /** A change made in this editor: shown now, stored by the host. */
  set(patch: UiPrefs): void {
    this.prefs = { ...this.prefs, ...patch };
    this.emit();
    this.send(patch);
  }

  subscribe = (l: Listener): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  private emit(): void {
    for (const l of [...this.listeners]) l();
  }
}

export const uiPrefs = new UiPrefsState((patch) => post({ type: 'setUiPrefs', prefs: patch }));

/** One preference and its setter; `fallback` while the host has not sent one. */
export function useUiPref<K extends keyof UiPrefs>(key: K, fallback: NonNullable<UiPrefs[K]>): [NonNullable<UiPrefs[K]>, (v: NonNullable<UiPrefs[K]>) => void] {
  const value = useSyncExternalStore(uiPrefs.subscribe, () => uiPrefs.current[key]) ?? fallback;
  const set = useCallback((v: NonNullable<UiPrefs[K]>) => uiPrefs.set({ [key]: v } as UiPrefs), [key]);
  return [value as NonNullable<UiPrefs[K]>, set];
}
