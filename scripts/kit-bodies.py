#!/usr/bin/env python3
"""Writes fixtures/kit-bodies/*.jsonl: update bodies shaped as the Python workflow kit's helpers
build them, for the arguments real kit protocols pass, serialized as a Python producer does
(json.dumps defaults: ", " and ": " separators, non-ASCII escaped as \\uXXXX).

Our own code (the kit is not installed here): it builds the documented shape
(../shared/docs/wire-format.md) and writes datetimes with Python's own isoformat(), which is what
arrow's isoformat() returns. The values are fixed, so the output is the same on every run:

    python3 scripts/kit-bodies.py

Each line is an inject entry for `npm run demo -- --inject FILE` ({"type", "body"}) plus what a
test needs: `source` (the kit protocol whose call it reproduces), `arguments` (the helper's
arguments), and `expect` (the outcome; for a stored task, its datetimes as sent and their UTC
instants, computed here by Python's datetime, independently of the applier). The keys are the
demo's deterministic ones (demo-patient-NNNN, demo-staff-NNNN, the Diabetes care group), so the
same file runs against `npm run demo` and the integration tests.
"""

import json
import os
from datetime import datetime, timedelta, timezone

DIABETES_CARE_GROUP_ID = '5f0c4a52-3c1e-4b8e-9d3a-2f6b1e0d9a11'

EASTERN = timezone(timedelta(hours=-5))
INDIA = timezone(timedelta(hours=5, minutes=30))
UTC = timezone.utc

# "now" of each computation (arrow.now() on servers in different zones), microseconds and not.
NOW_UTC = datetime(2026, 12, 1, 8, 20, 11, 123456, tzinfo=UTC)
NOW_EASTERN = datetime(2026, 12, 1, 3, 20, 11, 654321, tzinfo=EASTERN)
NOW_INDIA = datetime(2026, 12, 1, 13, 50, 11, 5, tzinfo=INDIA)
NOW_WHOLE_SECOND = datetime(2026, 12, 1, 8, 20, 11, tzinfo=UTC)


def key_identifier(key):
    return {'identifier_type': 'key', 'identifier': {'key': key}}


def envelope(integration_type):
    return {
        'integration_type': integration_type,
        'integration_source': 'SDK',
        'handling_options': {'respond_async': True},
    }


def given(value):
    return value is not None and value != '' and value != []


def task_body(patient_key, created_by_key, status='OPEN', title=None, assignee_identifier=None,
              team_identifier=None, due=None, created=None, tag=None, labels=None):
    """The documented create_task_payload shape: optional keys only when given a non-empty value,
    in the order title, team_identifier, created, due, tag, labels, assignee."""
    payload = {'creator': key_identifier(created_by_key), 'status': status}
    for name, value in (('title', title), ('team_identifier', team_identifier),
                        ('created', created), ('due', due), ('tag', tag), ('labels', labels)):
        if given(value):
            payload[name] = value
    if given(assignee_identifier):
        payload['assignee'] = key_identifier(assignee_identifier)
    message = envelope('Task')
    message['patient_identifier'] = key_identifier(patient_key)
    message['integration_payload'] = payload
    return message


def group_body(patient_key, group_id, inactive):
    entry = {'uuid': patient_key}
    if inactive:
        entry['inactive'] = True
    message = envelope('Group')
    message['integration_payload'] = {
        'externally_exposable_id': group_id,
        'group_type': 'patientgroup',
        'members': {'mode': 'appendOrRemove', 'entries': [entry]},
    }
    return message


def utc_instant(iso):
    """The UTC instant the applier must store beside a datetime: a naive value is UTC."""
    value = datetime.fromisoformat(iso)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S.%fZ')


def task_entry(source, arguments, note=None):
    body = task_body(**arguments)
    expect = {'outcome': 'applied', 'status': arguments.get('status') or 'OPEN'}
    for name in ('due', 'created'):
        if given(arguments.get(name)):
            expect[name] = arguments[name]
            expect[name + 'Instant'] = utc_instant(arguments[name])
    entry = {'type': 'Task', 'body': json.dumps(body), 'source': source,
             'arguments': arguments, 'expect': expect}
    if note:
        entry['note'] = note
    return entry


def patient(n):
    return 'demo-patient-%04d' % n


def staff(n):
    return 'demo-staff-%04d' % n


# The demo's patient 3 has an appointment on 2035-04-10 at 09:30 in UTC-5 (local/seed-demo-data.ts).
APPOINTMENT_START = datetime(2035, 4, 10, 9, 30, tzinfo=EASTERN)
# Instructions in the kit's dumps carry `created` as '2022-02-16 23:17:37.082929+00:00'.
INSTRUCTION_CREATED = datetime.fromisoformat('2022-02-16 23:17:37.082929+00:00')

APPLIED = [
    task_entry('appointment_task_creator.py', dict(
        patient_key=patient(3), created_by_key=staff(1), status='OPEN',
        title='Synthetic has an appointment on %s. Please call to remind!'
              % APPOINTMENT_START.strftime('%Y-%m-%d'),
        assignee_identifier=staff(1), team_identifier='0564c236-9ebe-43e2-8f21-c8e28f6d60c3',
        due=(APPOINTMENT_START - timedelta(days=3)).isoformat(),
        created=NOW_UTC.isoformat(), tag=None, labels=['Urgent'])),
    task_entry('collective/NoShowHandler.py', dict(
        patient_key=patient(1), created_by_key=staff(2), status='OPEN',
        title="Reschedule Zo\u00eb's no-show appointment", assignee_identifier=None,
        team_identifier='cd002206-7a26-40e0-9363-3f5e93befa83',
        due=NOW_EASTERN.isoformat(), created=NOW_EASTERN.isoformat(), tag=None, labels=[]),
        note='a non-ASCII title, escaped as \\u00eb by json.dumps'),
    task_entry('example_protocols/task_creator_post_instruct.py', dict(
        patient_key=patient(2), created_by_key=staff(3), status='OPEN',
        title='Follow up on Hemoglobin A1c order from %s' % INSTRUCTION_CREATED.strftime('%m/%d/%Y'),
        assignee_identifier=staff(1), due=(INSTRUCTION_CREATED + timedelta(days=7)).isoformat(),
        created=NOW_UTC.isoformat(), tag=None, labels=[])),
    task_entry('example_protocols/task_creator_post_instruct.py', dict(
        patient_key=patient(4), created_by_key=staff(3), status='OPEN',
        title='Follow up on Hemoglobin A1c order from %s' % INSTRUCTION_CREATED.strftime('%m/%d/%Y'),
        assignee_identifier='', due=(INSTRUCTION_CREATED + timedelta(days=7)).isoformat(),
        created=NOW_WHOLE_SECOND.isoformat(), tag=None, labels=[]),
        note='no care team lead: the assignee is an empty string, left out'),
    task_entry('appointment_coverage_check.py', dict(
        patient_key=patient(3), created_by_key=staff(1), status='OPEN',
        title='Synthetic has no coverage listed and has an appointment on 2035 - 04 - 10. '
              'Please call to verify coverage.',
        assignee_identifier=staff(1), due=(APPOINTMENT_START - timedelta(days=3)).isoformat(),
        created=NOW_INDIA.isoformat(), tag=None)),
    task_entry('assessment_care_modeling/reassessment_task.py', dict(
        patient_key=patient(5), created_by_key=staff(2), status='OPEN',
        title='Schedule Semi-Annual Visit w/ Patient for Re-Assessment',
        team_identifier='5425152c-d390-4498-9948-fe1eef711fbd',
        due=(NOW_INDIA + timedelta(days=1)).isoformat(), created=NOW_INDIA.isoformat(),
        tag=None, labels=['Routine'])),
    task_entry('assessment_care_modeling/followup_scheduling_tasks.py', dict(
        patient_key=patient(5), created_by_key=staff(2), status='OPEN',
        team_identifier='5425152c-d390-4498-9948-fe1eef711fbd',
        due=(NOW_UTC + timedelta(weeks=1)).isoformat(), created=NOW_UTC.isoformat(), tag=None,
        labels=['Routine'], title='Schedule Goal Alignment Session')),
    task_entry('assessment_care_modeling/followup_scheduling_tasks.py', dict(
        patient_key=patient(5), created_by_key=staff(2), status='OPEN',
        team_identifier='5425152c-d390-4498-9948-fe1eef711fbd',
        due=(NOW_UTC + timedelta(weeks=1)).isoformat(), created=NOW_UTC.isoformat(), tag=None,
        labels=['Routine'], title='Schedule Care Planning Session')),
    task_entry('collective/AlertForMissingIntake.py', dict(
        patient_key=patient(1), created_by_key=staff(2), status='OPEN',
        title='Synthetic has not completed the intake questionnaire',
        team_identifier='3b161f0b-d377-4580-8f7b-d1f9440199cd',
        due=NOW_WHOLE_SECOND.isoformat(), created=NOW_WHOLE_SECOND.isoformat(), tag=None,
        labels=None)),
    task_entry('collective/AutomatedPatientMessageTriage.py', dict(
        patient_key=patient(2), created_by_key=staff(2), status='OPEN',
        title='Synthetic has sent a potentially urgent message.',
        team_identifier='3b161f0b-d377-4580-8f7b-d1f9440199cd',
        due=NOW_EASTERN.isoformat(), created=NOW_EASTERN.isoformat(), tag=None,
        labels=['Urgent'])),
    task_entry('collective/CreateTaskForPrescriptionErrors.py', dict(
        patient_key=patient(4), created_by_key=staff(3), status='OPEN',
        title='Prescription for Synthetic-statin 10 mg encountered an error.',
        assignee_identifier=staff(3), due=NOW_UTC.isoformat(), created=NOW_UTC.isoformat(),
        tag=None, labels=[])),
    task_entry('collective/FollowUpBupropionInitiation.py', dict(
        patient_key=patient(1), created_by_key=staff(2), status='OPEN',
        title='Follow up on bupropion initiation',
        team_identifier='3b161f0b-d377-4580-8f7b-d1f9440199cd',
        due=(NOW_EASTERN + timedelta(weeks=1)).isoformat(), created=NOW_EASTERN.isoformat(),
        tag=None, labels=None)),
    task_entry('depression_care_modeling/postpartum_depression_prescription_recommendation.py', dict(
        patient_key=patient(2), created_by_key=staff(1), status='OPEN',
        title='Contact patient to schedule follow up appointment',
        team_identifier='3b161f0b-d377-4580-8f7b-d1f9440199cd', due=NOW_UTC.isoformat(),
        created=(NOW_UTC + timedelta(days=1)).isoformat(), tag=None, labels=['Routine'])),
    task_entry('(any protocol passing status=None)', dict(
        patient_key=patient(4), created_by_key=staff(1), status=None,
        title='Review the care plan', due='2026-12-08T09:00:00', created='2026-12-01T09:00:00')),
] + [
    # patient_grouping.py: in for the demo's patients with active diabetes (odd), out for the
    # others, as the demo's own protocol decides, so the memberships end the same in any order.
    {'type': 'Group', 'body': json.dumps(group_body(patient(n), DIABETES_CARE_GROUP_ID, n % 2 == 0)),
     'source': 'patient_grouping.py',
     'arguments': {'patient_key': patient(n), 'group_id': DIABETES_CARE_GROUP_ID,
                   'inactive': n % 2 == 0},
     'expect': {'outcome': 'applied', 'active': n % 2 == 1}}
    for n in (1, 2, 3)
]

REFUSED = [
    # appointment_coverage_check.py when the changed appointment has no start_time.
    {'type': 'Task',
     'body': json.dumps(task_body(
         patient_key=patient(3), created_by_key=staff(1), status='OPEN',
         title='Synthetic has no coverage listed and has an appointment on unknown date. '
               'Please call to verify coverage.',
         assignee_identifier=staff(1), due='three days before scheduled appointment',
         created=NOW_UTC.isoformat(), tag=None)),
     'source': 'appointment_coverage_check.py',
     'expect': {'outcome': 'rejected', 'reason': 'schema',
                'detail': 'integration_payload.due: must be a real datetime formatted '
                          'YYYY-MM-DDThh:mm:ss, optionally with .f to .ffffff and Z or \u00b1hh:mm'}},
]


def write(name, entries):
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'kit-bodies')
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, name), 'w', encoding='utf-8') as out:
        for entry in entries:
            out.write(json.dumps(entry, ensure_ascii=False) + '\n')


if __name__ == '__main__':
    write('applied.jsonl', APPLIED)
    write('refused.jsonl', REFUSED)
