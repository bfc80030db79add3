/**
 * A bot process on standby, for the crash campaign: it loads the bot's modules (the slow part of a cold start on a busy
 * machine), says "loaded", and on "go" from its parent runs bot/index.ts, the production entry point, unchanged. A restart
 * after a kill -9 then costs opening the store and listening, as it would on a host whose image is already in memory.
 */
import '../../../bot/app';
import '../../../bot/config';
import '../../../bot/logger';

process.stdin.once('data', () => {
  process.stdin.pause();
  void import('../../../bot/index.js');
});
process.stderr.write('standby: loaded\n');
