/**
 * Runs `semnav doctor --json` once: the binary itself (no shell), with a
 * timeout, and hands the result to `doctorOutcome`. The only module of
 * src/core that starts a process; it never imports `vscode`, so the protocol
 * test runs exactly this against the real binary.
 */
import { execFile } from 'node:child_process';

import { DOCTOR_TIMEOUT_MS, doctorCommand, doctorOutcome, type DoctorOutcome, type DoctorRun } from './doctor';

export interface DoctorOptions {
    timeoutMs?: number;
    /** The environment (default: this process's, as the server gets it). */
    env?: NodeJS.ProcessEnv;
    /** Its working directory (default: this process's). */
    cwd?: string;
}

/** Doctor's report is a few KiB: anything past this is not one. */
const MAX_OUTPUT_BYTES = 1024 * 1024;

/** Runs `bin args…` and says what it reported, or why it reported nothing. Never rejects. */
export function runDoctor(bin: string, args: readonly string[], options: DoctorOptions = {}): Promise<DoctorOutcome> {
    const timeoutMs = options.timeoutMs ?? DOCTOR_TIMEOUT_MS;
    const command = doctorCommand(bin, args);
    return new Promise((resolve) => {
        const opts = {
            encoding: 'utf8' as const,
            timeout: timeoutMs,
            killSignal: 'SIGKILL' as const,
            maxBuffer: MAX_OUTPUT_BYTES,
            windowsHide: true,
            shell: false,
            env: options.env ?? process.env,
            ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
        };
        try {
            execFile(bin, [...args], opts, (error, stdout, stderr) => {
                const run: DoctorRun = { stdout, stderr, exitCode: 0, timedOut: false, timeoutMs };
                if (error !== null) {
                    const code = (error as NodeJS.ErrnoException).code as unknown;
                    if (typeof code === 'number') {
                        run.exitCode = code;
                    } else if (error.killed === true && error.signal === 'SIGKILL') {
                        run.exitCode = null;
                        run.timedOut = true;
                    } else if (typeof code === 'string' && code !== 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
                        // ENOENT, EACCES…: it never ran.
                        run.exitCode = null;
                        run.spawnError = error.message;
                    } else {
                        run.exitCode = null;
                        run.stderr = `${stderr}\n${error.message}`.trim();
                    }
                }
                resolve(doctorOutcome(run, command));
            });
        } catch (e) {
            // execFile throws synchronously on invalid arguments (e.g. a NUL byte in a path).
            resolve(doctorOutcome({ stdout: '', stderr: '', exitCode: null, timedOut: false, timeoutMs, spawnError: e instanceof Error ? e.message : String(e) }, command));
        }
    });
}
