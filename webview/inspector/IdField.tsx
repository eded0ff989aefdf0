// The selected node's id: renaming is validated as you type (unique, identifier-safe) and sent as one
// renameNode edit (the host renames edges and weight keys along with it).
import { useState } from 'react';
import { renameProblem } from '../model/ids';
import { TextField } from '../ui/toolkit';

export function IdField({ id, taken, readOnly, onRename }: { id: string; taken: ReadonlySet<string>; readOnly: boolean; onRename: (to: string) => void }) {
  const [text, setText] = useState(id);
  const [error, setError] = useState<string | null>(null);
  const commit = (t: string) => {
    const next = t.trim();
    const problem = renameProblem(next, taken, id);
    setError(problem);
    if (!problem && next !== id) onRename(next);
  };
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label className="field-label">id</label>
      <TextField
        value={text}
        disabled={readOnly}
        invalid={!!error}
        ariaLabel="Node id"
        id="inspector-id"
        onInput={(t) => {
          setText(t);
          setError(renameProblem(t.trim(), taken, id));
        }}
        onCommit={commit}
        data-testid="inspector-id"
      />
      {error && (
        <div className="field-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
