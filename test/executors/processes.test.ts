import { processes } from '../../src/index.js';
import { conformance } from './conformance.js';

conformance('processes', (options) => processes(options), {
  isolated: true,
  signals: true,
  movesResults: false,
  runsClosures: false,
});
