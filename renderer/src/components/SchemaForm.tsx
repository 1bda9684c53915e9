// A settings form generated from a model's JSON Schema (exported from the one zod schema that also
// validates the CLI and what a run stores): numbers, whole numbers, switches and choices, with the
// bounds of the schema checked as the user types. The server checks everything again.
interface Property {
  type?: 'integer' | 'number' | 'boolean' | 'string';
  enum?: string[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

export type Values = Record<string, unknown>;

export function propertiesOf(schema: Record<string, unknown>): [string, Property][] {
  return Object.entries((schema.properties ?? {}) as Record<string, Property>);
}

/** What is wrong with one value, in words, or null. */
export function problemOf(p: Property, value: unknown): string | null {
  if (p.type === 'integer' || p.type === 'number') {
    if (typeof value !== 'number' || !Number.isFinite(value)) return 'a number is needed';
    if (p.type === 'integer' && !Number.isInteger(value)) return 'a whole number is needed';
    if (p.minimum !== undefined && value < p.minimum) return `at least ${p.minimum}`;
    if (p.maximum !== undefined && value > p.maximum) return `at most ${p.maximum}`;
    if (p.exclusiveMinimum !== undefined && value <= p.exclusiveMinimum)
      return `more than ${p.exclusiveMinimum}`;
    if (p.exclusiveMaximum !== undefined && value >= p.exclusiveMaximum)
      return `less than ${p.exclusiveMaximum}`;
  }
  return null;
}

export function formProblems(schema: Record<string, unknown>, values: Values): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const [key, p] of propertiesOf(schema)) {
    const problem = problemOf(p, values[key]);
    if (problem) problems[key] = problem;
  }
  return problems;
}

export function SchemaForm({
  schema,
  values,
  preset,
  onChange,
}: {
  schema: Record<string, unknown>;
  values: Values;
  /** the preset's values: fields that differ are marked */
  preset: Values;
  onChange: (values: Values) => void;
}) {
  const set = (key: string, value: unknown) => onChange({ ...values, [key]: value });
  return (
    <div className="schema-form">
      {propertiesOf(schema).map(([key, p]) => {
        const value = values[key];
        const problem = problemOf(p, value);
        const changed = value !== preset[key];
        const id = `setting-${key}`;
        return (
          <label
            key={key}
            htmlFor={id}
            className={`field ${changed ? 'changed' : ''} ${problem ? 'invalid' : ''}`}
          >
            <span className="field-name">{key.replaceAll('_', ' ')}</span>
            {p.type === 'boolean' ? (
              <input
                id={id}
                type="checkbox"
                checked={value === true}
                onChange={(e) => set(key, e.target.checked)}
              />
            ) : p.enum ? (
              <select id={id} value={String(value)} onChange={(e) => set(key, e.target.value)}>
                {p.enum.map((option) => (
                  <option key={option}>{option}</option>
                ))}
              </select>
            ) : p.type === 'integer' || p.type === 'number' ? (
              <input
                id={id}
                type="number"
                step={p.type === 'integer' ? 1 : 'any'}
                min={p.minimum}
                max={p.maximum}
                value={typeof value === 'number' && Number.isFinite(value) ? value : ''}
                onChange={(e) => set(key, e.target.value === '' ? Number.NaN : Number(e.target.value))}
              />
            ) : (
              <input
                id={id}
                type="text"
                value={String(value ?? '')}
                onChange={(e) => set(key, e.target.value)}
              />
            )}
            {problem && <span className="field-problem">{problem}</span>}
          </label>
        );
      })}
    </div>
  );
}
