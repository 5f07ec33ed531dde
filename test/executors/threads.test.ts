import { threads } from '../../src/index.js';
import { conformance } from './conformance.js';

conformance('threads', (options) => threads(options), {
  isolated: true,
  signals: false,
  movesResults: true,
  runsClosures: false,
});
