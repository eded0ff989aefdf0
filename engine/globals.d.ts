// The few host APIs the engine uses that exist in every runtime it targets (Node and browsers), declared
// here because engine/ compiles without the DOM or Node type libraries to keep it free of both.
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array): string;
}
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
