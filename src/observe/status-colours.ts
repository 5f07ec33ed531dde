/**
 * One colour per state, shared by the timeline report and the graph exports, so a task looks
 * the same everywhere: green done, red failed, grey cancelled, orange retried, blue running,
 * pale blue ready, pale grey waiting.
 */
export const STATUS_COLOURS = {
  waiting: '#cfd8dc',
  pending: '#cfd8dc',
  ready: '#b3e5fc',
  running: '#1e88e5',
  done: '#43a047',
  failed: '#e53935',
  cancelled: '#9e9e9e',
  retried: '#fb8c00',
} as const;

/** A state that has a colour. */
export type ColouredStatus = keyof typeof STATUS_COLOURS;
