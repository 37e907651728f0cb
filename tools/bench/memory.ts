import { readdirSync, readFileSync } from 'node:fs';

/**
 * Memory of a process, read from /proc. VmHWM is the kernel's own high-water mark of one
 * process's resident set (it catches spikes between samples); summing VmRSS over the
 * process and its descendants every 100 ms covers children the process may spawn.
 */
function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0; // the process ended between listing and reading
  }
}

function withDescendants(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    try {
      for (const tid of readdirSync(`/proc/${out[i]}/task`)) {
        const children = readFileSync(`/proc/${out[i]}/task/${tid}/children`, 'utf8').trim();
        if (children) out.push(...children.split(/\s+/).map(Number));
      }
    } catch {
      // gone
    }
  }
  return out;
}

export const mb = (kb: number) => kb / 1024;

/** VmHWM of the process itself, in MB: its peak since it started. */
export function highWaterMb(pid: number): number {
  return mb(statusKb(pid, 'VmHWM'));
}

/** Samples the tree's summed VmRSS until stopped; returns the peak in MB. */
export function sampleRss(pid: number, everyMs = 100): { stop(): number } {
  let peakKb = 0;
  const sample = () => {
    const kb = withDescendants(pid).reduce((sum, p) => sum + statusKb(p, 'VmRSS'), 0);
    if (kb > peakKb) peakKb = kb;
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return mb(peakKb);
    },
  };
}
