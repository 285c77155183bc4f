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

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ): 100 on Linux on every architecture we run. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU seconds a process has used so far, all its threads, user and system (fields 14 and 15 of
 * /proc/<pid>/stat), or null once it is gone. Read before and after a load, it tells what the
 * load cost the process whatever else ran on the machine.
 */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after it are counted from its ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
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
