// What a scale bench client process tells its parent (over fork's IPC): what the bench needs of its half's report.

/** The counts the parent adds up over the client processes. */
export interface RunCounts {
  clients: number;
  requests: number;
  failed: number;
  verified: number;
  cancelled: number;
}

export interface ClientsDone extends RunCounts {
  type: 'done';
  peakRssBytes: number;
  passed: boolean;
}
