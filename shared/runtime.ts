/**
 * Guard for entry points started directly (`node processing-server/src/main.ts`) rather than
 * through `bin/run.mjs`: Node.js older than 22.13 lacks node:sqlite and type stripping.
 */
export function assertSupportedRuntime(): void {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major > 22 || (major === 22 && minor >= 13)) return;
  process.stderr.write(
    `cardlane needs Node.js 22.13 or newer; this is ${process.versions.node}. Run it with npm (npm start), which uses the project's Node.js 24.\n`,
  );
  process.exit(1);
}
