import type zh from './zh-CN';

/** The same keys as the Chinese dictionary, any strings: what another language must provide. */
export type Dictionary<T = typeof zh> = {
  [K in keyof T]: T[K] extends string ? string : Dictionary<T[K]>;
};
