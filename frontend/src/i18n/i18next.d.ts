import 'i18next';
import type zh from './zh-CN';

declare module 'i18next' {
  interface CustomTypeOptions {
    resources: { translation: typeof zh };
  }
}
