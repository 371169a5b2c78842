import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { setDayjsLocale } from '../lib/time';
import en from './en';
import zh from './zh-CN';

export type Language = 'zh-CN' | 'en';
const KEY = 'crm.language';

export function storedLanguage(): Language {
  return localStorage.getItem(KEY) === 'en' ? 'en' : 'zh-CN';
}

export function changeLanguage(language: Language): void {
  localStorage.setItem(KEY, language);
  setDayjsLocale(language);
  document.documentElement.lang = language;
  void i18n.changeLanguage(language);
}

void i18n.use(initReactI18next).init({
  resources: { 'zh-CN': { translation: zh }, en: { translation: en } },
  lng: storedLanguage(),
  fallbackLng: 'zh-CN',
  interpolation: { escapeValue: false }, // React escapes
});
setDayjsLocale(storedLanguage());
document.documentElement.lang = storedLanguage();

export default i18n;
