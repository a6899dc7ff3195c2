// A timer's deadline as a choice of kind and amount, and back: exactly the expressions docs/authoring.md allows
// ("Timers"), so a process owner never writes one by hand. Anything else reads back as {kind: 'raw'} and is shown,
// never rewritten.

const NAME = '[A-Za-z_][A-Za-z0-9_]*';
const NUMBER = '\\d+(?:\\.\\d+)?';

export const KINDS = ['hours', 'working_hours', 'working_days', 'next_opening', 'field'];

// Clock hours as an ISO 8601 duration: 4 -> PT4H, 0.5 -> PT30M, 1.5 -> PT1H30M; in days (168 -> P7D) when the
// timer was written in days and still is a whole number of them.
function duration(hours, days) {
  const minutes = Math.round(hours * 60);
  if (days && minutes % 1440 === 0) return `P${minutes / 1440}D`;
  const [h, m] = [Math.floor(minutes / 60), minutes % 60];
  return `PT${h ? `${h}H` : ''}${m || !h ? `${m}M` : ''}`;
}

// The hours of a quoted clock duration ("PT4H", "PT30M", "PT1H30M", "P1D"), or null.
function hoursOf(text) {
  const match = new RegExp('^"P(?:(\\d+)D)?(?:T(?:(\\d+)H)?(?:(\\d+)M)?)?"$').exec(text.trim());
  if (!match || !(match[1] || match[2] || match[3])) return null;
  return (Number(match[1] || 0) * 24) + Number(match[2] || 0) + Number(match[3] || 0) / 60;
}

// {type: 'timeDuration'|'timeDate'|'timeCycle', body} -> {kind, amount, from} or {kind: 'raw', raw}.
export function readTimer({ type, body }) {
  const text = (body || '').trim();
  const raw = { kind: 'raw', raw: text, type };
  if (type === 'timeDuration') {
    const hours = hoursOf(text);
    return hours === null ? raw : { kind: 'hours', amount: hours, from: '', days: text.includes('D') };
  }
  if (type !== 'timeDate') return raw;
  let match = new RegExp(`^after\\(("[^"]*")(?:,\\s*(${NAME}))?\\)$`).exec(text);
  if (match) {
    const hours = hoursOf(match[1]);
    return hours === null ? raw : { kind: 'hours', amount: hours, from: match[2] || '', days: match[1].includes('D') };
  }
  match = new RegExp(`^(working_hours|working_days)\\((${NUMBER})(?:,\\s*(${NAME}))?\\)$`).exec(text);
  if (match) return { kind: match[1], amount: Number(match[2]), from: match[3] || '' };
  if (/^next_opening\(\)$/.test(text)) return { kind: 'next_opening' };
  match = new RegExp(`^at\\((${NAME})\\)$`).exec(text);
  if (match) return { kind: 'field', field: match[1] };
  return raw;
}

// The inverse of readTimer for every kind but 'raw'.
export function writeTimer(choice) {
  const from = choice.from ? `, ${choice.from}` : '';
  switch (choice.kind) {
    case 'hours':
      return choice.from
        ? { type: 'timeDate', body: `after("${duration(choice.amount, choice.days)}"${from})` }
        : { type: 'timeDuration', body: `"${duration(choice.amount, choice.days)}"` };
    case 'working_hours':
    case 'working_days':
      return { type: 'timeDate', body: `${choice.kind}(${choice.amount}${from})` };
    case 'next_opening':
      return { type: 'timeDate', body: 'next_opening()' };
    case 'field':
      return { type: 'timeDate', body: `at(${choice.field})` };
    default:
      throw new Error(`no expression for a timer of kind ${choice.kind}`);
  }
}

// The timer of a bpmn:TimerEventDefinition as {type, body}, whichever of the three it uses.
export function timerOf(definition) {
  for (const type of ['timeDuration', 'timeDate', 'timeCycle']) {
    if (definition[type]) return { type, body: definition[type].body || '' };
  }
  return { type: 'timeDuration', body: '' };
}
