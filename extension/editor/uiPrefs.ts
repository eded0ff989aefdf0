/**
 * The editor's view preferences (legend and minimap folded or open, the overlay mode), kept per workspace in
 * VS Code's workspaceState, so every graph editor of the workspace shares them and they survive a reload.
 * Each change is stored, then announced to every open editor. No VS Code import beyond the Memento's shape,
 * so tests give it a map.
 */
import type { UiPrefs } from '../../protocol/messages';

export interface PrefsMemento {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void> | Promise<void>;
}

const KEY = 'backpropStudio.uiPrefs';

export class UiPrefsStore {
  private readonly listeners = new Set<(prefs: UiPrefs) => void>();

  constructor(private readonly memento: PrefsMemento | undefined) {}

  get(): UiPrefs {
    const stored = this.memento?.get<UiPrefs>(KEY);
    return stored && typeof stored === 'object' ? { ...stored } : {};
  }

  /** Merges checked preferences (protocol/validate.ts) into the stored ones and tells every editor. */
  async set(patch: UiPrefs): Promise<void> {
    const next = { ...this.get(), ...patch };
    await this.memento?.update(KEY, next);
    for (const l of [...this.listeners]) l(next);
  }

  onChange(listener: (prefs: UiPrefs) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
}
