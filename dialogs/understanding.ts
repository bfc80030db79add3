/** What dialogs/ uses of the grammar (dialogs/understand), in one place. */
export type { Intent, Understanding, UnderstandContext } from './understand/types';
export { mayUnderstand, understand } from './understand';
