export { copyOf, restoringOnRefusal } from './kernel/refusal';
