/**
 * CPU time used by processes, from /proc (Linux): a process on its own, or a PostgreSQL server
 * (the postmaster and its children: one backend per connection, and the background workers).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces): state, ppid, …; null once the process is gone. */
function statFields(pid: number): string[] | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** User plus system CPU seconds the process has used so far; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  const fields = statFields(pid);
  // utime and stime are the 14th and 15th fields of the whole line: the 12th and 13th after the name.
  return fields ? (Number(fields[11]) + Number(fields[12])) / clockTicks() : 0;
}

/** CPU seconds of a process and its direct children (a PostgreSQL server: the postmaster and every backend). */
export function treeCpuSeconds(rootPid: number): number {
  let total = cpuSeconds(rootPid);
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (fields && Number(fields[1]) === rootPid) total += (Number(fields[11]) + Number(fields[12])) / clockTicks();
  }
  return total;
}

/** The postmaster's pid, from the first line of postmaster.pid in its data folder. */
export function postmasterPid(dataDir: string): number {
  return Number(fs.readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0]);
}
