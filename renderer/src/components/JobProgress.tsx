import { cancelJob } from '../actions.ts';
import { formatSeconds } from '../format.ts';
import type { Job } from '../state/types.ts';
import { ErrorMessage } from './ErrorMessage.tsx';

/** Long work: a bar, what it is doing, rate and ETA, and a way to stop it. */
export function JobProgress({ job, onCancel }: { job: Job; onCancel?: () => void }) {
  const percent = job.fraction === null ? null : Math.round(job.fraction * 1000) / 10;
  return (
    <div className={`job job-${job.status}`} data-testid={`job-${job.kind}`}>
      <div className="job-head">
        <strong>{job.title}</strong>
        <span className="job-status">{statusWords[job.status]}</span>
      </div>
      <div
        className={`bar ${percent === null && job.status === 'running' ? 'bar-unknown' : ''}`}
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent ?? undefined}
      >
        <div className="bar-fill" style={percent === null ? undefined : { width: `${percent}%` }} />
      </div>
      <div className="job-figures">
        <span>{percent === null ? '' : `${percent.toFixed(1)} %`}</span>
        <span>{job.detail}</span>
        <span>{job.rate ?? ''}</span>
        {job.status === 'running' && <span>ETA {formatSeconds(job.etaSeconds)}</span>}
        {job.status === 'running' && (
          <button type="button" className="danger" onClick={onCancel ?? (() => cancelJob(job.id))}>
            Cancel
          </button>
        )}
      </div>
      {job.status === 'failed' && <ErrorMessage error={job.error} />}
    </div>
  );
}

const statusWords: Record<Job['status'], string> = {
  running: 'running',
  done: 'done',
  paused: 'paused',
  cancelled: 'cancelled',
  failed: 'failed',
};
