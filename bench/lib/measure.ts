/** Small measuring tools shared by the benchmarks: peak memory of a process, statistics, formatting. */
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';

/** A field of /proc/<pid>/status in kB (VmHWM = peak resident set, VmRSS = current), or null once the process is gone. */
export function procStatusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number | null {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Follows a process's peak resident set (VmHWM, which the kernel keeps as a high-water mark)
 * every `intervalMs`; `stop()` reads it one last time and returns the peak in MB. A process that
 * ends between two samples loses at most the growth of its last interval.
 */
export function followPeakRss(pid: number, intervalMs = 50): { stop(): number } {
  let peakKb = 0;
  const sample = (): void => {
    const hwm = procStatusKb(pid, 'VmHWM');
    if (hwm !== null && hwm > peakKb) peakKb = hwm;
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      sample();
      clearInterval(timer);
      return peakKb / 1024;
    },
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function machineDescription(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  let sqlite = 'unknown';
  try {
    sqlite = execFileSync(process.execPath, ['-e', "const {DatabaseSync}=require('node:sqlite');console.log(new DatabaseSync(':memory:').prepare('select sqlite_version() v').get().v)"], { encoding: 'utf8' }).trim();
  } catch {
    // The version is a nice-to-have in the report.
  }
  return `${os.availableParallelism()} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GB RAM, Node.js ${process.version}, SQLite ${sqlite}, ${os.type()} ${os.release()}`;
}

/** Parses `--name value` and `--name=value` flags; anything else is refused. */
export function parseFlags(argv: string[], known: Record<string, string>): Record<string, string> {
  const flags = { ...known };
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index]!;
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(argument);
    if (!match || !(match[1]! in known)) throw new Error(`unknown argument ${argument}; known: ${Object.keys(known).map((name) => `--${name}`).join(' ')}`);
    const value = match[2] ?? argv[index + 1];
    if (value === undefined) throw new Error(`--${match[1]} needs a value`);
    if (match[2] === undefined) index += 1;
    flags[match[1]!] = value;
  }
  return flags;
}
