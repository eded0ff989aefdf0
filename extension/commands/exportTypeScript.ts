import { comingLater } from './comingLater';

export const EXPORT_TYPESCRIPT_COMMAND = 'backpropStudio.exportTypeScript';

/** Placeholder: exporting a model as a TypeScript module comes in a later version. */
export function exportTypeScript(): Promise<void> {
  return comingLater('Export to TypeScript');
}
