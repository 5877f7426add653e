import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBatchReports } from '../../../local/run-metrics';

describe('readBatchReports', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'batch-reports-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const report = (deleted: number) =>
    JSON.stringify({ queueName: 'q', functionKey: 'f', records: deleted, kept: 0, deleted });

  it('reads every complete line and skips the line the event source is still appending', () => {
    // Arrange: two complete reports and a third cut off mid-write.
    const file = join(dir, 'reports.jsonl');
    writeFileSync(file, `${report(10)}\n${report(3)}\n${report(7).slice(0, 20)}`);

    // Act
    const reports = readBatchReports(file);

    // Assert
    expect(reports.map((r) => r.deleted)).toEqual([10, 3]);
  });

  it('reads nothing from a missing file', () => {
    expect(readBatchReports(join(dir, 'absent.jsonl'))).toEqual([]);
  });
});
