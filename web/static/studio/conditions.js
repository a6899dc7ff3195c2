// A gateway condition as field + operator + value(s), and back: the shapes docs/authoring.md asks for
// (`field == "value"`, `field in ("a", "b")`, `flag`, `not flag`, `n >= 3`). Any other expression reads back as
// {op: 'raw'} and is shown read-only, never rewritten.

const NAME = '([A-Za-z_][A-Za-z0-9_]*)';
const LITERAL = '"(?:[^"\\\\]|\\\\.)*"|-?\\d+(?:\\.\\d+)?|True|False';

export const OPERATORS = ['is', 'one_of', 'true', 'false', 'ge', 'le'];

// A Python literal as a JS value: "x" -> 'x', 3 -> 3, True -> true.
function literal(text) {
  if (text === 'True' || text === 'False') return text === 'True';
  return text.startsWith('"') ? JSON.parse(text) : Number(text);
}

// A JS value as a Python literal (strings with double quotes, as the seeds write them).
function pythonLiteral(value) {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return typeof value === 'number' ? String(value) : JSON.stringify(String(value));
}

export function readCondition(text) {
  const body = (text || '').trim();
  if (!body) return { op: 'none' };
  let match = new RegExp(`^${NAME}\\s*==\\s*(${LITERAL})$`).exec(body);
  if (match) return { op: 'is', field: match[1], values: [literal(match[2])] };
  match = new RegExp(`^${NAME}\\s+in\\s+\\(((?:\\s*(?:${LITERAL})\\s*,?)+)\\)$`).exec(body);
  if (match) {
    const values = match[2].match(new RegExp(LITERAL, 'g')).map(literal);
    return { op: 'one_of', field: match[1], values };
  }
  match = new RegExp(`^${NAME}\\s*(>=|<=)\\s*(-?\\d+(?:\\.\\d+)?)$`).exec(body);
  if (match) return { op: match[2] === '>=' ? 'ge' : 'le', field: match[1], values: [Number(match[3])] };
  match = new RegExp(`^not\\s+${NAME}$`).exec(body);
  if (match) return { op: 'false', field: match[1], values: [] };
  match = new RegExp(`^${NAME}$`).exec(body);
  if (match && !['True', 'False', 'None'].includes(match[1])) return { op: 'true', field: match[1], values: [] };
  return { op: 'raw', raw: body };
}

// The expression of a condition, or '' when it is not complete yet (no field, no value).
export function writeCondition({ op, field, values = [] }) {
  if (!field) return '';
  switch (op) {
    case 'true': return field;
    case 'false': return `not ${field}`;
    case 'is': return values.length ? `${field} == ${pythonLiteral(values[0])}` : '';
    case 'one_of':
      if (values.length === 1) return `${field} == ${pythonLiteral(values[0])}`;
      return values.length ? `${field} in (${values.map(pythonLiteral).join(', ')})` : '';
    case 'ge':
    case 'le':
      return Number.isFinite(values[0]) ? `${field} ${op === 'ge' ? '>=' : '<='} ${values[0]}` : '';
    default: return '';
  }
}
