/**
 * The extension's log: Output → "Backprop Studio". What a run did and how long each part took, so a person
 * (or the end-to-end test) can tell a slow worker from a slow UI. Created on first use.
 *
 * Also where failures go. Every command handler and every piece of work the extension starts without waiting
 * for it (a training-panel button, a closing document) runs through `guarded` / `inBackground`: a failure
 * shows `Backprop Studio: <what> failed: <message>` (the message only, never a stack) and is logged with its
 * stack, instead of becoming an unhandled promise rejection that nobody sees.
 */
import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

export function log(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('Backprop Studio', { log: true });
  return channel;
}

export function disposeLog(): void {
  channel?.dispose();
  channel = undefined;
}

/** What a user is shown of a failure: its message, without a stack (some errors carry one in the message). */
export function messageOf(e: unknown): string {
  const text = e instanceof Error ? e.message : typeof e === 'string' ? e : String(e);
  const stack = text.search(/\n\s+at /);
  return (stack >= 0 ? text.slice(0, stack) : text).trim() || (e instanceof Error ? e.name : 'unknown error');
}

/** Tells the user `<what> failed` and logs it with the stack. Never throws. */
export function reportFailure(what: string, e: unknown): void {
  const message = messageOf(e);
  try {
    log().error(`${what} failed: ${e instanceof Error && e.stack ? e.stack : message}`);
  } catch {
    /* no log: the message below still goes */
  }
  try {
    Promise.resolve(vscode.window.showErrorMessage(`Backprop Studio: ${what} failed: ${message}`)).catch(() => undefined);
  } catch {
    /* nowhere left to report */
  }
}

/**
 * `fn` as a command handler: its result when it succeeds; when it throws or rejects, the failure is reported
 * (reportFailure) and the handler resolves to undefined, so VS Code does not report it a second time.
 */
export function guarded<A extends unknown[], R>(what: string, fn: (...args: A) => R): (...args: A) => Promise<Awaited<R> | undefined> {
  return async (...args: A): Promise<Awaited<R> | undefined> => {
    try {
      return await fn(...args);
    } catch (e) {
      reportFailure(what, e);
      return undefined;
    }
  };
}

/** Work started and not waited for: `work` runs now, and a failure (thrown or rejected) is reported. */
export function inBackground(what: string, work: () => unknown): void {
  try {
    Promise.resolve(work()).catch((e: unknown) => reportFailure(what, e));
  } catch (e) {
    reportFailure(what, e);
  }
}
