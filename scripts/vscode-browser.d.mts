// Types of scripts/vscode-browser.mjs, for the TypeScript that imports it (test/vscode/, test/e2e/).
import type { ChildProcess } from 'node:child_process';
import type { Browser, FrameLocator, Page } from 'playwright-core';

export declare const CHROMIUM: string;
export declare const CHROMIUM_ARGS: string[];
export declare const QUIET_SETTINGS: Record<string, unknown>;
export declare function launchChromium(): Promise<Browser>;
export declare function freePort(): Promise<number>;
export declare function waitForHttp(url: string, child?: ChildProcess, timeoutMs?: number): Promise<void>;
export declare function stopProcessGroup(child: ChildProcess): Promise<void>;
export declare function filesUnder(dir: string): string[];
export declare function linkExtension(extensionsDir: string): string;
export declare function codeServerArgs(o: { port: number; userDataDir: string; extensionsDir: string; folder: string }): string[];
export declare function codeServerEnv(configDir: string, dataDir: string): NodeJS.ProcessEnv;

export interface CodeServer {
  /** http://127.0.0.1:PORT */
  base: string;
  /** The workbench with the folder open. */
  url: string;
  port: number;
  child: ChildProcess;
  /** code-server's stdout and stderr. */
  logFile: string;
  userDataDir: string;
  stop(): Promise<void>;
}
export declare function startCodeServer(o: { dir: string; folder: string; settings?: Record<string, unknown> }): Promise<CodeServer>;
export declare function vscodeLogs(dir: string): { file: string; contents: string }[];

export declare const QUICK_INPUT: string;
export declare const QUICK_INPUT_BOX: string;
export declare const QUICK_INPUT_ROW: string;
export declare function waitForWorkbench(page: Page, timeoutMs?: number): Promise<void>;
export declare function runCommand(page: Page, title: string, o?: { attempts?: number; rowTimeoutMs?: number; run?: boolean }): Promise<void>;
export declare function pickQuickItem(page: Page, label: string, timeoutMs?: number): Promise<void>;
export declare function answerSaveDialog(page: Page, path: string, timeoutMs?: number): Promise<void>;
export declare function webviewFrame(page: Page): FrameLocator;
