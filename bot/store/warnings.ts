/**
 * Things the store survives but an operator should see. The store has no logger of its own; the composition root passes
 * `onWarning` and forwards these to pino.
 */
export type StoreWarning =
  | { kind: 'corrupt-row'; table: string; key: string; problem: string }
  | { kind: 'pool-error'; message: string };

export type StoreWarningHandler = (warning: StoreWarning) => void;

export const ignoreWarnings: StoreWarningHandler = () => undefined;
