import type { ProtocolClass } from '../lib';
import { AppointmentReminder } from './appointment-reminder';
import { DiabetesCareGroup } from './diabetes-care-group';

/**
 * The protocols the compute Lambda runs, in this order. A class listed here must have a
 * `static meta` (the type refuses it otherwise) and a unique `meta.key` (a unit test checks).
 */
export const PROTOCOLS: readonly ProtocolClass[] = [AppointmentReminder, DiabetesCareGroup];
