// Types of scripts/tools.mjs, for the TypeScript that imports it (test/vscode/vscode-server.test.ts).
export declare const CODE_SERVER_VERSION: string;
export declare const NODE_MAJOR: number;
export declare const root: string;
export declare const tools: string;
export declare const node24Dir: string;
export declare const node24Bin: string;
export declare const node24: string;
export declare const csDir: string;
export declare const csPackage: string;
export declare const csEntry: string;
export declare const vscodeServerMain: string;
export declare class ToolsError extends Error {}
export declare function onPath(name: string): string | undefined;
export declare function installedCodeServerVersion(): string;
export declare function ensureKrb5Headers(log?: (msg: string) => void): void;
export declare function ensureNode24(log?: (msg: string) => void): string;
export declare function ensureCodeServer(log?: (msg: string) => void): void;
export declare function ensureTools(log?: (msg: string) => void): string;
