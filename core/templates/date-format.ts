/**
 * Date formats with the tokens YYYY, YY, MM, M, DD, D and MMM (Jan..Dec); everything else is literal.
 * Parsing is strict: the whole value must match one format and name a real calendar day.
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const TOKEN = /YYYY|YY|MMM|MM|M|DD|D/g;

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

export function formatProblem(format: string): string | undefined {
  const tokens = format.match(TOKEN) ?? [];
  const has = (re: RegExp) => tokens.some((t) => re.test(t));
  if (!has(/^Y/) || !has(/^M/) || !has(/^D/))
    return 'must contain a year (YYYY or YY), a month (MM, M or MMM) and a day (DD or D)';
  return undefined;
}

const compiled = new Map<string, { regExp: RegExp; tokens: string[] }>();

function compile(format: string): { regExp: RegExp; tokens: string[] } {
  let entry = compiled.get(format);
  if (!entry) {
    const tokens: string[] = [];
    let source = '';
    let last = 0;
    for (const match of format.matchAll(TOKEN)) {
      source += format.slice(last, match.index).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      tokens.push(match[0]);
      source += {
        YYYY: '(\\d{4})',
        YY: '(\\d{2})',
        MMM: `(${MONTHS.join('|')})`,
        MM: '(\\d{2})',
        M: '(\\d{1,2})',
        DD: '(\\d{2})',
        D: '(\\d{1,2})',
      }[match[0]];
      last = match.index + match[0].length;
    }
    source += format.slice(last).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    entry = { regExp: new RegExp(`^${source}$`), tokens };
    compiled.set(format, entry);
  }
  return entry;
}

export function parseDate(value: string, format: string): CalendarDate | undefined {
  const { regExp, tokens } = compile(format);
  const match = regExp.exec(value);
  if (!match) return undefined;
  let year = NaN;
  let month = NaN;
  let day = NaN;
  tokens.forEach((token, i) => {
    const text = match[i + 1]!;
    if (token === 'YYYY') year = Number(text);
    else if (token === 'YY')
      year = 2000 + Number(text); // two-digit years are 2000-2099
    else if (token === 'MMM') month = MONTHS.indexOf(text) + 1;
    else if (token.startsWith('M')) month = Number(text);
    else day = Number(text);
  });
  if (!(month >= 1 && month <= 12 && day >= 1)) return undefined;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= daysInMonth ? { year, month, day } : undefined;
}

type Part = string | ((date: CalendarDate) => string);
const TOKEN_WRITERS: Record<string, (date: CalendarDate) => string> = {
  YYYY: (d) => String(d.year).padStart(4, '0'),
  YY: (d) => String(d.year % 100).padStart(2, '0'),
  MMM: (d) => MONTHS[d.month - 1]!,
  MM: (d) => String(d.month).padStart(2, '0'),
  M: (d) => String(d.month),
  DD: (d) => String(d.day).padStart(2, '0'),
  D: (d) => String(d.day),
};
const writers = new Map<string, Part[]>();

export function formatDate(date: CalendarDate, format: string): string {
  let parts = writers.get(format);
  if (!parts) {
    parts = [];
    let last = 0;
    for (const match of format.matchAll(TOKEN)) {
      if (match.index > last) parts.push(format.slice(last, match.index));
      parts.push(TOKEN_WRITERS[match[0]]!);
      last = match.index + match[0].length;
    }
    if (last < format.length) parts.push(format.slice(last));
    writers.set(format, parts);
  }
  let out = '';
  for (const part of parts) out += typeof part === 'string' ? part : part(date);
  return out;
}

export function calendarDateOf(instant: Date): CalendarDate {
  return { year: instant.getUTCFullYear(), month: instant.getUTCMonth() + 1, day: instant.getUTCDate() };
}
