// Messages between the extension host and the graph editor's webview. Types only: both sides import them.

/** Host → webview: the model file's current text (sent when the editor opens and after every change). */
export interface DocumentMessage {
  type: 'document';
  uri: string;
  text: string;
}

export type HostMessage = DocumentMessage;

/** Webview → host: the script has loaded and listens for messages. */
export interface ReadyMessage {
  type: 'ready';
}

export type WebviewMessage = ReadyMessage;
