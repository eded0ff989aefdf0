// The bar above the canvas: the model's name, auto layout, fit view, and the way to the text.
import { memo } from 'react';
import { Icon } from '../ui/Icon';
import { Button } from '../ui/toolkit';

export interface ToolbarProps {
  name: string;
  readOnly: boolean;
  onAutoLayout: () => void;
  onFitView: () => void;
  onOpenAsText: () => void;
}

function ToolbarImpl({ name, readOnly, onAutoLayout, onFitView, onOpenAsText }: ToolbarProps) {
  return (
    <header className="toolbar">
      <h1 className="model-name" title={name}>
        {name}
      </h1>
      {readOnly && (
        <span className="readonly-badge" title="This view cannot change the file">
          <Icon name="lock" /> Read-only
        </span>
      )}
      <div className="toolbar-actions">
        {!readOnly && (
          <Button appearance="icon" title="Auto layout (left to right)" onClick={onAutoLayout} data-testid="auto-layout">
            <Icon name="type-hierarchy-sub" />
          </Button>
        )}
        <Button appearance="icon" title="Fit view" onClick={onFitView} data-testid="fit-view">
          <Icon name="screen-full" />
        </Button>
        <Button appearance="icon" title="Open as text" onClick={onOpenAsText} data-testid="toolbar-open-as-text">
          <Icon name="go-to-file" />
        </Button>
      </div>
    </header>
  );
}

export const Toolbar = memo(ToolbarImpl);
