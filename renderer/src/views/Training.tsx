import { useEffect, useMemo, useRef, useState } from 'react';
import { cancelJob, loadTrainingChoices, pauseTraining, startTraining } from '../actions.ts';
import { Chart } from '../components/Chart.tsx';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { JobProgress } from '../components/JobProgress.tsx';
import { formProblems, SchemaForm, type Values } from '../components/SchemaForm.tsx';
import { modelsFor } from '../state/derived.ts';
import { draftTraining } from '../state/producers.ts';
import { update, useStore } from '../state/store.ts';

export function Training() {
  const datasets = useStore((s) => s.datasets) ?? [];
  const allModels = useStore((s) => s.models);
  const devices = useStore((s) => s.devices);
  const draft = useStore((s) => s.draft);
  const session = useStore((s) => s.training);
  const jobs = useStore((s) => s.jobs);
  const runs = useStore((s) => s.runs);
  const job = session ? jobs.find((j) => j.id === session.jobId) : undefined;

  const [datasetName, setDatasetName] = useState('');
  const [modelId, setModelId] = useState('');
  const [preset, setPreset] = useState('');
  const [values, setValues] = useState<Values>({});
  const [inputs, setInputs] = useState<Record<string, string>>({});
  const [device, setDevice] = useState('auto');

  useEffect(() => {
    if (!allModels || !devices) void loadTrainingChoices();
  }, [allModels, devices]);

  const dataset =
    datasets.find((d) => d.name === datasetName) ??
    datasets.find((d) => modelsFor(allModels ?? [], d).length > 0);
  const models = modelsFor(allModels ?? [], dataset);
  const model = models.find((m) => m.id === modelId) ?? models[0];
  const presetName = model && preset in model.presets ? preset : model?.defaultPreset;
  const presetValues = (model && presetName ? model.presets[presetName] : {}) ?? {};

  // which model and preset the form's values are for: a re-run's values must survive the model change they cause
  const valuesFor = useRef('');

  // a new model or preset starts from the preset's values
  useEffect(() => {
    if (!model || draft) return;
    const chosen = presetName ?? model.defaultPreset;
    if (valuesFor.current === `${model.id}/${chosen}`) return;
    valuesFor.current = `${model.id}/${chosen}`;
    setValues({ ...model.presets[chosen] });
  }, [model, presetName, draft]);

  // re-run: the Runs view hands over a stored run's settings
  useEffect(() => {
    if (!draft || !allModels) return;
    setDatasetName(draft.dataset);
    setModelId(draft.model);
    const m = allModels.find((x) => x.id === draft.model);
    if (m) {
      setPreset(m.defaultPreset);
      valuesFor.current = `${m.id}/${m.defaultPreset}`;
    }
    setValues({ ...(m ? m.presets[m.defaultPreset] : {}), ...draft.config });
    setInputs(Object.fromEntries(Object.entries(draft.inputs).map(([k, v]) => [k, v.join('\n')])));
    setDevice(draft.device);
    update(draftTraining(null));
  }, [draft, allModels]);

  const problems = useMemo(() => (model ? formProblems(model.configSchema, values) : {}), [model, values]);
  const missingInputs = model?.inputs.filter((i) => i.required && !(inputs[i.key] ?? '').trim()) ?? [];
  const running = job?.status === 'running';
  const stoppedRun = session?.run != null ? runs?.find((r) => r.id === session.run) : undefined;
  const canResume = !running && stoppedRun?.resumable === true;

  const start = () => {
    if (!dataset || !model) return;
    const config = Object.fromEntries(Object.entries(values).filter(([k, v]) => v !== presetValues[k]));
    void startTraining({
      dataset: dataset.name,
      model: model.id,
      preset: presetName,
      config,
      device,
      inputs: Object.fromEntries(
        Object.entries(inputs).map(([k, v]) => [
          k,
          v
            .split('\n')
            .map((x) => x.trim())
            .filter(Boolean),
        ]),
      ),
    });
  };

  const lossSeries = session
    ? [{ label: 'loss', steps: session.loss.steps, values: session.loss.values }]
    : [];
  const metricSeries = session
    ? Object.entries(session.metrics).map(([label, s]) => ({ label, steps: s.steps, values: s.values }))
    : [];
  const throughputSeries = session
    ? [
        {
          label: session.throughput.unit || 'throughput',
          steps: session.throughput.steps,
          values: session.throughput.values,
        },
      ]
    : [];

  return (
    <section className="training">
      <h1>Train a model</h1>
      {datasets.length === 0 && (
        <p className="muted">Import a dataset first: a model trains on one of the workspace's datasets.</p>
      )}
      <div className="train-grid">
        <div className="panel">
          <label className="stack">
            Dataset
            <select
              aria-label="Dataset"
              value={dataset?.name ?? ''}
              onChange={(e) => setDatasetName(e.target.value)}
              disabled={running}
            >
              {datasets.map((d) => (
                <option key={d.id} value={d.name}>
                  {d.name} ({d.kind})
                </option>
              ))}
            </select>
          </label>
          {dataset && models.length === 0 && (
            <p className="muted">No model in this build trains on {dataset.kind} datasets yet.</p>
          )}
          <label className="stack">
            Model
            <select
              aria-label="Model"
              value={model?.id ?? ''}
              onChange={(e) => setModelId(e.target.value)}
              disabled={running}
            >
              {models.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name}
                </option>
              ))}
            </select>
          </label>
          {model && <p className="small muted">{model.description}</p>}
          {model && (
            <label className="stack">
              Preset
              <select
                aria-label="Preset"
                value={presetName}
                onChange={(e) => setPreset(e.target.value)}
                disabled={running}
              >
                {Object.keys(model.presets).map((p) => (
                  <option key={p}>{p}</option>
                ))}
              </select>
            </label>
          )}
          <label className="stack">
            Device
            <select
              aria-label="Device"
              value={device}
              onChange={(e) => setDevice(e.target.value)}
              disabled={running}
            >
              <option value="auto">auto (the best that works here)</option>
              {devices?.providers.map((p) => (
                <option key={p.provider} value={p.provider} disabled={!p.works}>
                  {p.provider}
                  {p.works ? (p.software ? ' (software, slow)' : '') : ' — unavailable'}
                </option>
              ))}
            </select>
          </label>
          {devices && (
            <ul className="devices small">
              {devices.providers.map((p) => (
                <li key={p.provider} className={p.works ? 'works' : 'unavailable'}>
                  <strong>{p.provider}</strong> {p.works ? '✓' : '✗'}{' '}
                  <span className="muted">{p.reason}</span>
                </li>
              ))}
            </ul>
          )}
          {model?.inputs.map((input) => (
            <label key={input.key} className="stack">
              {input.label}
              <textarea
                aria-label={input.label}
                rows={2}
                value={inputs[input.key] ?? ''}
                onChange={(e) => setInputs({ ...inputs, [input.key]: e.target.value })}
              />
              <span className="small muted">{input.help}</span>
            </label>
          ))}
          <div className="row">
            <button
              type="button"
              className="primary"
              disabled={!model || running || Object.keys(problems).length > 0 || missingInputs.length > 0}
              onClick={start}
            >
              Start training
            </button>
            {running && session?.run != null && model?.resumable && (
              <button type="button" onClick={() => void pauseTraining(session.run!)}>
                Pause
              </button>
            )}
            {running && (
              <button type="button" className="danger" onClick={() => cancelJob(job!.id)}>
                Cancel
              </button>
            )}
            {canResume && session && (
              <button
                type="button"
                onClick={() =>
                  void startTraining({
                    dataset: session.dataset,
                    model: session.model,
                    resume: session.run!,
                    device,
                  })
                }
              >
                Resume run {session.run}
              </button>
            )}
          </div>
        </div>
        <div className="panel">
          <h3>
            Settings{' '}
            {presetName && (
              <span className="muted small">from preset {presetName}; changed ones are marked</span>
            )}
          </h3>
          {model && (
            <SchemaForm
              schema={model.configSchema}
              values={values}
              preset={presetValues}
              onChange={setValues}
            />
          )}
        </div>
      </div>
      {session && (
        <div className="live" data-testid="training-live">
          <h2>
            {session.model} on {session.dataset}
            {session.run != null && <span className="muted"> · run {session.run}</span>}
          </h2>
          {job && <JobProgress job={job} onCancel={() => cancelJob(job.id)} />}
          <div className="charts">
            {lossSeries[0].steps.length > 0 && <Chart title="loss" series={lossSeries} />}
            {metricSeries.length > 0 && <Chart title="validation" series={metricSeries} />}
            {throughputSeries[0].steps.length > 0 && <Chart title="throughput" series={throughputSeries} />}
          </div>
          <pre className="log" title="Training log">
            {session.log.slice(-200).join('\n')}
          </pre>
          {job?.status === 'failed' && <ErrorMessage error={job.error} />}
        </div>
      )}
    </section>
  );
}
