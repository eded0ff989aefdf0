/**
 * The engine's analysis of a model text, remembered for the last few texts: one change is analysed once,
 * although the edit check, the safety net after an edit and the diagnostics all ask for it.
 * Pure: no `vscode` import.
 */
import { analyzeModel, type GraphAnalysis } from '../../engine/graph/analyze';

const recent: { text: string; analysis: GraphAnalysis }[] = [];
const SIZE = 4;

export function analyzeText(text: string): GraphAnalysis {
  const hit = recent.find((r) => r.text === text);
  if (hit) return hit.analysis;
  const analysis = analyzeModel(text);
  recent.unshift({ text, analysis });
  recent.length = Math.min(recent.length, SIZE);
  return analysis;
}
