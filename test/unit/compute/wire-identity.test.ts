import { benchPatients } from '../../../bench/synthetic-patients';
import { wireDigest, wireLines } from '../../../bench/wire-messages';
import { computePatientUpdates } from '../../../lib/compute/compute-patient-updates';
import { runOrigin } from '../../../lib/compute/update-id';
import { SILENT_LOG } from '../../../lib/ports/compute';
import { PROTOCOLS } from '../../../protocols';

/**
 * The wire format is a contract: what compute sends for the same input must stay byte for byte
 * what it sent when this digest was taken (commit 549a6b5, before the issue 13 compute speed-ups).
 * Every message of the 10,000 bench patients at three instants (bench/wire-messages.ts): type,
 * body, attributes (update id, computed-at, protocol), and every run's status and result. A
 * digest that moves means a message changed: find the first differing line with
 * `npx tsx bench/profile-compute.ts --baseline DIR --check-wire` (DIR: `git archive 549a6b5 bench
 * lib protocols schemas`).
 */

const tree = {
  compute: computePatientUpdates,
  protocols: PROTOCOLS,
  patients: benchPatients,
  origin: runOrigin,
  silentLog: SILENT_LOG,
};

describe('wire identity of the compute path', () => {
  it('sends, for the 10,000 bench patients, exactly the messages of 549a6b5', () => {
    expect(wireDigest(tree, 10_000)).toEqual({
      digest: '2fb79b0ea02965bf7c87b1e1326976224451366881ca9dfd28647390b96fb4de',
      lines: 143_334,
    });
  }, 120_000);

  it('checks what it claims: messages, with their attributes, and results', () => {
    const lines: string[] = [];
    wireLines(tree, 2, (text) => lines.push(text));
    expect(lines.some((l) => l.startsWith('Task {"integration_type":"Task"'))).toBe(true);
    expect(lines.some((l) => l.startsWith('Group {"integration_type":"Group"'))).toBe(true);
    expect(lines.some((l) => l.includes('"update-id":{"DataType":"String"'))).toBe(true);
    expect(lines.some((l) => l.startsWith('run ["appointment-reminder","1.2.0","computed"'))).toBe(
      true,
    );
    // The second instant brings some reminders forward (due now): that branch is covered.
    expect(lines.some((l) => l.includes('due now'))).toBe(true);
  });
});
