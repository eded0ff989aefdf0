// The inline notice the dataset dropdown shows when the chosen dataset is of the other kind than the model's
// wiring (rewire.ts): what is wired now, what Rewire would change, and three buttons. Rewire sends the dataset
// change and the rewiring as one batch edit (one undo step), Keep only the dataset change, Cancel nothing.
import { SOURCE_LABELS } from './settings';
import type { RewireOffer } from './rewire';
import { Button } from '../ui/toolkit';

export interface RewireNoticeProps {
  offer: RewireOffer;
  onRewire: () => void;
  onKeep: () => void;
  onCancel: () => void;
}

export function RewireNotice({ offer, onRewire, onKeep, onCancel }: RewireNoticeProps) {
  const name = SOURCE_LABELS[offer.source] ?? offer.source;
  return (
    <div className="rewire-notice" role="alert" data-testid="rewire-notice" data-task={offer.task} data-source={offer.source}>
      <p className="rewire-text">
        <strong>{name}</strong> is a {offer.task} set; this model is wired for {offer.task === 'regression' ? 'classification' : 'regression'} ({offer.now}).
        {offer.changes.length > 0 && <> Rewire it for {offer.task}?</>}
      </p>
      {offer.changes.length > 0 && (
        <ul className="rewire-changes" data-testid="rewire-changes">
          {offer.changes.map((c) => (
            <li key={c}>{c}</li>
          ))}
        </ul>
      )}
      {offer.todo && (
        <p className="rewire-todo" data-testid="rewire-todo">
          {offer.todo}
        </p>
      )}
      <div className="rewire-buttons">
        <Button
          appearance="primary"
          title="Change the dataset and rewire the Target and loss (one undo step)"
          ariaLabel="Rewire"
          onClick={onRewire}
          data-testid="rewire-apply"
        >
          Rewire
        </Button>
        <Button
          appearance="secondary"
          title="Change only the dataset; keep the Target and loss as they are"
          ariaLabel="Keep"
          onClick={onKeep}
          data-testid="rewire-keep"
        >
          Keep
        </Button>
        <Button appearance="secondary" title="Keep the current dataset" ariaLabel="Cancel" onClick={onCancel} data-testid="rewire-cancel">
          Cancel
        </Button>
      </div>
    </div>
  );
}
