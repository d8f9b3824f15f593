// Languages: the five the 2015 jury suggests. Messages are ICU MessageFormat (react-intl), so plural
// forms follow each language's CLDR rules (Polish and Ukrainian have four, Vietnamese one) and every
// catalogue has exactly the same keys (i18n.test.ts checks).
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { IntlProvider, useIntl } from "react-intl";
import { boot } from "../shared/boot";
import type en from "./en.json";

export const LOCALES = ["pl", "en", "uk", "es", "vi"] as const;
export type Locale = (typeof LOCALES)[number];

/** The name of each language in that language, for the chooser. */
export const LOCALE_NAMES: Record<Locale, string> = {
  pl: "Polski",
  en: "English",
  uk: "Українська",
  es: "Español",
  vi: "Tiếng Việt",
};

export type MessageId = keyof typeof en;
export type Catalogue = Record<MessageId, string>;

// Only the chosen language's catalogue is downloaded, when it is first chosen.
const loaders: Record<Locale, () => Promise<{ default: Catalogue }>> = {
  pl: () => import("./pl.json"),
  en: () => import("./en.json"),
  uk: () => import("./uk.json"),
  es: () => import("./es.json"),
  vi: () => import("./vi.json"),
};

const STORAGE_KEY = "miasta.locale";

export function isLocale(s: string | null | undefined): s is Locale {
  return !!s && (LOCALES as readonly string[]).includes(s);
}

/** initialLocale is the user's earlier choice, else the first supported browser language, else Polish. */
export function initialLocale(stored: string | null, browser: readonly string[]): Locale {
  if (isLocale(stored)) return stored;
  for (const tag of browser) {
    const base = tag.toLowerCase().split("-")[0];
    if (isLocale(base)) return base;
  }
  return "pl";
}

interface LocaleContextValue {
  locale: Locale;
  setLocale: (l: Locale) => void;
  /** suggest switches to l unless the user has chosen a language themselves (e.g. the invitation's). */
  suggest: (l: string) => void;
}

const LocaleContext = createContext<LocaleContextValue>({ locale: "pl", setLocale: () => {}, suggest: () => {} });

function readStored(): string | null {
  try {
    return window.localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

// The choice is also a cookie, for the server: it starts the page in that language (web/web.go).
const COOKIE = "miasta.locale";

function tellServer(l: Locale) {
  document.cookie = `${COOKIE}=${l}; path=/; max-age=31536000; samesite=lax`;
}

/**
 * serverLocale is the language the server started the page in, when it rendered the page (its boot
 * data is there): the person's choice (the cookie), else the language they were invited in, else the
 * browser's, as initialLocale and MeProvider's suggestion would pick. Taking it from the page spares
 * the first render a read of localStorage, which in a fresh browser profile blocked the main thread
 * for a third of a second on the slow phone the bench plays.
 */
function serverLocale(): Locale | undefined {
  if (typeof document === "undefined" || !boot()) return undefined;
  const lang = document.documentElement.lang;
  return isLocale(lang) ? lang : undefined;
}

export function LocaleProvider({ children, locale: fixed }: { children: ReactNode; locale?: Locale }) {
  const [server] = useState(() => (fixed ? undefined : serverLocale()));
  const [locale, setLocaleState] = useState<Locale>(
    () => fixed ?? server ?? initialLocale(readStored(), typeof navigator === "undefined" ? [] : navigator.languages),
  );
  const setLocale = useCallback((l: Locale) => {
    setLocaleState(l);
    tellServer(l);
    try {
      window.localStorage.setItem(STORAGE_KEY, l);
    } catch {
      // Private browsing may refuse storage; the choice then lasts for this page.
    }
  }, []);
  const suggest = useCallback(
    (l: string) => {
      // A page the server started already speaks the invitation's language unless the person chose.
      if (!fixed && !server && isLocale(l) && !isLocale(readStored())) setLocaleState(l);
    },
    [fixed, server],
  );
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  useEffect(() => {
    if (!server) return;
    // A choice made before the cookie existed (or that outlived it) is only in localStorage: read it
    // once the page is idle, and take it up.
    const later = window.requestIdleCallback ?? ((f: () => void) => window.setTimeout(f, 2000));
    later(() => {
      const stored = readStored();
      if (isLocale(stored) && stored !== server) {
        setLocaleState(stored);
        tellServer(stored);
      }
    });
  }, [server]);
  const value = useMemo(() => ({ locale, setLocale, suggest }), [locale, setLocale, suggest]);
  // The page keeps the previous language until the next one has arrived, so it never shows keys.
  const [loaded, setLoaded] = useState<{ locale: Locale; messages: Catalogue } | undefined>();
  useEffect(() => {
    let current = true;
    loaders[locale]().then((m) => current && setLoaded({ locale, messages: m.default }));
    return () => {
      current = false;
    };
  }, [locale]);
  if (!loaded) return null;
  return (
    <LocaleContext.Provider value={value}>
      <IntlProvider locale={loaded.locale} messages={loaded.messages} defaultLocale="pl" timeZone="Europe/Warsaw">
        {children}
      </IntlProvider>
    </LocaleContext.Provider>
  );
}

export function useLocale(): LocaleContextValue {
  return useContext(LocaleContext);
}

type Values = Record<string, string | number | Date | ReactNode>;

/** useT returns the translate function: t("report.save", {count: 2}). */
export function useT(): (id: MessageId, values?: Values) => string {
  const intl = useIntl();
  return useCallback((id: MessageId, values?: Values) => intl.formatMessage({ id }, values as never) as string, [intl]);
}
