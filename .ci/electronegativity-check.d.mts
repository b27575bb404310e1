/** Types of electronegativity-check.mjs, for its tests. */
export interface ElectronegativityReport {
  tool?: string;
  electron?: string;
  input?: string;
  listed?: string[];
  scanned?: string[];
  errors?: { file: string; message: string; tolerable: boolean }[];
  issues?: { id: string; severity: string; confidence: string; file: string; location: string; description: string }[];
  finished?: boolean;
}
export const REQUIRED_DIRS: string[];
export function requiredFiles(root?: string): string[];
export function checkReport(report: unknown, required: string[]): string[];
