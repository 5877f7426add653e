export { AppointmentReminder } from '../../../protocols/appointment-reminder';
export { DiabetesCareGroup } from '../../../protocols/diabetes-care-group';
