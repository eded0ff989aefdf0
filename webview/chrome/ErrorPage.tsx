// Shown instead of the graph when the text cannot be shown as one (not JSON, a newer format version, unknown
// ops...): the engine's messages and a way back to the text. Nothing here edits the document.
import { Button } from '../ui/toolkit';
import { Icon } from '../ui/Icon';

export function ErrorPage({ title, messages, onOpenAsText }: { title: string; messages: readonly string[]; onOpenAsText: () => void }) {
  return (
    <div className="error-page" role="alert">
      <h1>
        <Icon name="error" /> {title}
      </h1>
      <ul className="error-page-messages">
        {messages.slice(0, 50).map((m, i) => (
          <li key={i}>{m}</li>
        ))}
        {messages.length > 50 && <li>…and {messages.length - 50} more</li>}
      </ul>
      <p className="hint">The graph editor shows this file again once the text is fixed. The file has not been changed.</p>
      <Button onClick={onOpenAsText} data-testid="open-as-text">
        Reopen as text
      </Button>
    </div>
  );
}
