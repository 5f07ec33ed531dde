import { inline } from '../../src/index.js';
import { conformance } from './conformance.js';

conformance('inline', () => inline(), {
  isolated: false,
  signals: false,
  movesResults: false,
  runsClosures: true,
});
