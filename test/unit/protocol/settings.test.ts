import {
  computeProtocols,
  Protocol,
  type ProtocolMeta,
  ProtocolResult,
  ProtocolSettings,
  SettingsError,
} from '../../../lib';
import { readChangeComputeConfig, readSegmentComputeConfig } from '../../../lib/aws/compute-config';
import { computePatientUpdates } from '../../../lib/compute/compute-patient-updates';
import { SILENT_LOG } from '../../../lib/ports/compute';
import { syntheticPatient } from '../support/patients';

describe('ProtocolSettings', () => {
  it('parses a JSON object of identifiers to values', () => {
    const settings = ProtocolSettings.fromJson(
      '{"TEAM_IDENTIFIER":"team-1","DAYS":3,"ON":true,"LIST":["a"],"NONE":null}',
      'settings.json',
    );
    expect(settings.string('TEAM_IDENTIFIER')).toBe('team-1');
    expect(settings.get('DAYS')).toBe(3);
    expect(settings.keys()).toEqual(['TEAM_IDENTIFIER', 'DAYS', 'ON', 'LIST', 'NONE']);
    expect(settings.source).toBe('settings.json');
  });

  it('refuses bad documents naming the source and the key, never the value', () => {
    expect(() => ProtocolSettings.fromJson('{', 'settings.json')).toThrow(
      'settings.json: not valid JSON',
    );
    expect(() => ProtocolSettings.fromJson('[]', 's.json')).toThrow(/s\.json: \(document\)/);
    try {
      ProtocolSettings.fromJson('{"TEAM":{"secret":"Jane Doe"}}', 's.json');
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(SettingsError);
      expect((error as Error).message).toMatch(/^s\.json: TEAM: /);
      expect((error as Error).message).not.toContain('Jane');
    }
    expect(() => ProtocolSettings.fromJson('{"Jane Doe":"x"}', 's.json')).toThrow(
      /^s\.json: \(a key\): /,
    );
  });

  it('reads PROTOCOL_SETTINGS; unset or empty is no settings', () => {
    expect(ProtocolSettings.fromEnvironment({}).source).toBe('none');
    expect(ProtocolSettings.fromEnvironment({ PROTOCOL_SETTINGS: ' ' }).keys()).toEqual([]);
    const settings = ProtocolSettings.fromEnvironment({ PROTOCOL_SETTINGS: '{"A":"b"}' });
    expect(settings.source).toBe('PROTOCOL_SETTINGS');
    expect(settings.string('A')).toBe('b');
  });

  it('a required setting that is missing or not a string throws naming the key', () => {
    const settings = new ProtocolSettings({ N: 1 });
    expect(() => settings.string('TEAM')).toThrow('settings.TEAM: not set');
    expect(() => settings.string('N')).toThrow('settings.N: must be a non-empty string');
    expect(settings.string('TEAM', 'kit-default')).toBe('kit-default');
    expect(() => settings.string('N', 'kit-default')).toThrow(
      'settings.N: must be a non-empty string',
    );
  });
});

class NeedsTeam extends Protocol {
  static readonly meta: ProtocolMeta = {
    title: 'Needs team',
    version: '1',
    description: 'reads a setting',
    types: [],
    computeOnChangeTypes: [],
  };
  computeResults(): ProtocolResult {
    const result = new ProtocolResult();
    result.addNarrative(`team ${this.settings.string('TEAM_IDENTIFIER')}`);
    return result;
  }
}

describe('settings in a computation', () => {
  it('reach every protocol as this.settings', () => {
    const [run] = computeProtocols({
      protocols: [NeedsTeam],
      patient: syntheticPatient(),
      now: '2024-02-01T12:00:00Z',
      settings: new ProtocolSettings({ TEAM_IDENTIFIER: 'team-7' }),
    });
    expect(run?.result?.narratives).toEqual(['team team-7']);
  });

  it('a missing one fails the run with invalid-settings, naming the key', () => {
    const [run] = computeProtocols({
      protocols: [NeedsTeam],
      patient: syntheticPatient(),
      now: '2024-02-01T12:00:00Z',
    });
    expect(run?.status).toBe('failed');
    expect(run?.error).toEqual({
      code: 'invalid-settings',
      message: 'settings.TEAM_IDENTIFIER: not set',
    });
  });
});

describe('settings from the compute functions’ environment', () => {
  const env = {
    PATIENTS_TABLE: 'patients',
    PROTOCOL_RESULTS_TABLE: 'results',
    COMPUTE_JOBS_QUEUE_URL: 'jobs',
    GROUP_QUEUE_URL: 'g',
    TASK_QUEUE_URL: 't',
    TASK_UPDATE_QUEUE_URL: 'l',
    TASK_COMMENT_QUEUE_URL: 'c',
    TASK_METADATA_QUEUE_URL: 'm',
  };

  it('are read from PROTOCOL_SETTINGS by both compute configs', () => {
    const withSettings = { ...env, PROTOCOL_SETTINGS: '{"TEAM_IDENTIFIER":"team-9"}' };
    expect(readChangeComputeConfig(withSettings).settings.string('TEAM_IDENTIFIER')).toBe('team-9');
    expect(readSegmentComputeConfig(withSettings).settings.source).toBe('PROTOCOL_SETTINGS');
    expect(readChangeComputeConfig(env).settings.keys()).toEqual([]);
  });

  it('a malformed PROTOCOL_SETTINGS stops the function’s start, naming the key', () => {
    expect(() => readChangeComputeConfig({ ...env, PROTOCOL_SETTINGS: '{"TEAM":{}}' })).toThrow(
      /^PROTOCOL_SETTINGS: TEAM: /,
    );
  });
});

describe('settings through the compute path', () => {
  it('computePatientUpdates hands them to the protocols', () => {
    const { runs } = computePatientUpdates({
      protocols: [NeedsTeam],
      patient: syntheticPatient(),
      change: null,
      computedAt: new Date('2024-02-01T12:00:00Z'),
      origin: 'run:test',
      log: SILENT_LOG,
      settings: new ProtocolSettings({ TEAM_IDENTIFIER: 'team-3' }, 'PROTOCOL_SETTINGS'),
    });
    expect(runs[0]?.result?.narratives).toEqual(['team team-3']);
  });
});
