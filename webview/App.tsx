// The webview's top level: waits for the document, shows the editor, or the error page when the text cannot be
// shown as a graph. Keeps #root's data-state (loading / ok / error) for tests and scripts. Training messages go
// to the training stores (webview/training/stores.ts), not into React state here.
import { useEffect, useMemo, useState } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import type { DocumentMessage } from '../protocol/messages';
import { ErrorPage } from './chrome/ErrorPage';
import { StatusLine } from './chrome/StatusLine';
import { useStatus } from './chrome/useStatus';
import { Editor } from './Editor';
import { announceReady, onHostMessage, post } from './host';
import { readDocument } from './model/document';
import { handleTrainingMessage, isTrainingMessage } from './training/stores';
import { gradCheck } from './gradcheck/gradCheckStore';
import { registerToolkit } from './ui/toolkit';
import { uiPrefs } from './ui/uiPrefs';
import { useColorMode } from './ui/useColorMode';

const openAsText = () => post({ type: 'openAsText' });

export function App({ root }: { root: HTMLElement }) {
  const [doc, setDoc] = useState<DocumentMessage | null>(null);
  /** Counts document messages: the same text sent again (after a refused edit) still resets local state. */
  const [revision, setRevision] = useState(0);
  const [reveal, setReveal] = useState<{ nodeId: string; seq: number } | null>(null);
  const [status, notify] = useStatus();
  const colorMode = useColorMode();

  useEffect(
    () =>
      onHostMessage((msg) => {
        if (msg.type === 'document') {
          setDoc(msg);
          setRevision((r) => r + 1);
        } else if (msg.type === 'revealNode') setReveal((r) => ({ nodeId: msg.nodeId, seq: (r?.seq ?? 0) + 1 }));
        else if (msg.type === 'editRejected') notify(`The edit was not applied: ${msg.reason}`, 'error');
        else if (msg.type === 'uiPrefs') uiPrefs.apply(msg.prefs);
        else if (msg.type === 'gradCheck') gradCheck.apply(msg);
        // Training goes to its stores, outside React state: an overlay update re-renders only what it restyles.
        else if (isTrainingMessage(msg)) handleTrainingMessage(msg);
      }),
    [notify],
  );
  useEffect(() => announceReady(), []);

  const text = doc?.text;
  const parsed = useMemo(() => (text === undefined ? null : readDocument(text)), [text]);
  const state = !parsed ? 'loading' : parsed.kind === 'page' ? 'error' : 'ok';
  useEffect(() => {
    root.dataset.state = state;
  }, [root, state]);
  // The toolkit's controls come alive right after the first frame that shows the graph (or the error page).
  useEffect(() => {
    if (state === 'loading') return;
    const frame = requestAnimationFrame(() => setTimeout(registerToolkit, 0));
    return () => cancelAnimationFrame(frame);
  }, [state]);

  let content;
  if (!doc || !parsed) content = <div className="loading">Loading model…</div>;
  else if (parsed.kind === 'page') content = <ErrorPage title={parsed.title} messages={parsed.messages} onOpenAsText={openAsText} />;
  else
    content = (
      <ReactFlowProvider>
        <Editor
          model={parsed.model}
          analysis={parsed.analysis}
          version={doc.version}
          revision={revision}
          readOnly={doc.readOnly}
          colorMode={colorMode}
          notify={notify}
          onOpenAsText={openAsText}
          revealRequest={reveal}
        />
      </ReactFlowProvider>
    );
  return (
    <div className="app">
      {content}
      <StatusLine status={status} />
    </div>
  );
}
