export { Lock } from './kernel/lock';
