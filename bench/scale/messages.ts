// What a scale bench client process tells its parent (over fork's IPC): what the bench needs of its half's report.
export interface ClientsDone {
  type: 'done';
  clients: number;
  requests: number;
  failed: number;
  verified: number;
  cancelled: number;
  peakRssBytes: number;
  durationMs: number;
  passed: boolean;
}
