// Reads the document's text into what the editor shows: the engine's analysis of the model, or, when the
// text cannot be shown as a graph (not JSON, a newer format, unknown ops...), the reasons for an error page.
// No DOM and no React here, so it runs in Node tests too.
import { analyzeModel, type GraphAnalysis } from '../../engine/graph/analyze';
import type { GraphError, ModelJson } from '../../engine/graph/types';

export type DocumentView = { kind: 'graph'; model: ModelJson; analysis: GraphAnalysis } | { kind: 'page'; title: string; messages: string[] };

/** Problems that leave no graph the canvas could show faithfully or edit safely. */
function isFatal(e: GraphError, analysis: GraphAnalysis): boolean {
  switch (e.code) {
    case 'bad-json':
    case 'unsupported-version':
    case 'unknown-op':
    case 'invalid-id':
    case 'duplicate-id':
      return true;
    case 'bad-node':
      return e.nodeId === undefined; // a nodes[] entry that is not an object; a bad "ui" is not fatal
    case 'bad-format':
    case 'too-large':
      return analysis.model === null;
    default:
      return false;
  }
}

function pageTitle(fatal: GraphError[]): string {
  const codes = new Set(fatal.map((e) => e.code));
  if (codes.has('bad-json')) return 'This file is not valid JSON';
  if (codes.has('unsupported-version')) return 'This model needs a newer version of Backprop Studio';
  if (codes.has('unknown-op')) return 'This model uses ops that Backprop Studio does not know';
  return 'This model cannot be shown as a graph';
}

export function readDocument(text: string): DocumentView {
  const analysis = analyzeModel(text);
  const fatal = analysis.errors.filter((e) => isFatal(e, analysis));
  if (fatal.length > 0 || !analysis.model) {
    const shown = fatal.length > 0 ? fatal : analysis.errors;
    return { kind: 'page', title: pageTitle(shown), messages: shown.map((e) => e.message) };
  }
  return { kind: 'graph', model: analysis.model, analysis };
}
