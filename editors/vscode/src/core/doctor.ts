/**
 * `semnav doctor --json`, as "semnav: Show Index Status" and the status bar
 * show it: the command line built from the extension's settings, its answer
 * read (or the reason there is none), the checks as text, the overall
 * severity. Pure: running the process is src/core/runDoctor.ts's job.
 *
 * The checks are the server's (binary, ONNX Runtime, model, index, each with
 * its state and the exact fix): the same report as in a terminal and in
 * Neovim's `:checkhealth semnav`. Nothing here invents a check or a fix.
 */
import { toServerConfig, type ExtensionSettings, type PathContext } from './settings';

export type CheckState = 'ok' | 'warn' | 'error';

/** One line of the report, as `semnav doctor --json` gives it. */
export interface DoctorCheck {
    name: string;
    state: CheckState;
    detail: string;
    /** The exact command or step that fixes it; null when there is nothing to fix. */
    fix: string | null;
}

export interface DoctorReport {
    /** False when any check is an error. */
    ok: boolean;
    version: string;
    checks: DoctorCheck[];
}

/** The report, or why there is none (with doctor's stderr when it said anything). */
export type DoctorOutcome = { ok: true; report: DoctorReport } | { ok: false; problem: string };

/** How a finished `semnav doctor` process ended, as the runner saw it. */
export interface DoctorRun {
    stdout: string;
    stderr: string;
    /** The exit code; null when it was killed or never started. */
    exitCode: number | null;
    /** Whether it was stopped for running past the timeout. */
    timedOut: boolean;
    timeoutMs: number;
    /** Why it could not be started (e.g. `spawn /x ENOENT`), if it could not. */
    spawnError?: string;
}

/** How long the extension lets doctor run: it loads ONNX Runtime and the model once. */
export const DOCTOR_TIMEOUT_MS = 30_000;

/** Overall severity, worst first. */
export type Severity = 'normal' | 'warning' | 'error';

/**
 * The arguments after the binary: `doctor --json`, then the user's
 * `semnav.modelDir`, `semnav.model` and `semnav.indexDir` as doctor's flags
 * (expanded as the server gets them; unset ones are left out so doctor uses
 * the server's defaults and environment), then the workspace folder after
 * `--`. Values are joined to their flag with `=`, so one starting with `-` is
 * never read as a flag. Without a folder, doctor checks its own working
 * directory: see `formatDoctorReport`'s `indexChecked`.
 */
export function doctorArgs(settings: ExtensionSettings, ctx: PathContext, root: string | undefined): string[] {
    const config = toServerConfig(settings, ctx);
    const args = ['doctor', '--json'];
    if (config.modelDir !== undefined) {
        args.push(`--model-dir=${config.modelDir}`);
    }
    if (config.model !== undefined) {
        args.push(`--model=${config.model}`);
    }
    if (config.indexDir !== undefined) {
        args.push(`--index-dir=${config.indexDir}`);
    }
    if (root !== undefined && root !== '') {
        args.push('--', root);
    }
    return args;
}

/** The command line in words, for messages: `semnav doctor --json …` with the binary's path. */
export function doctorCommand(bin: string, args: readonly string[]): string {
    return [bin, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

const STATES: readonly string[] = ['ok', 'warn', 'error'];

function isCheck(v: unknown): v is DoctorCheck {
    if (typeof v !== 'object' || v === null) {
        return false;
    }
    const c = v as Record<string, unknown>;
    return (
        typeof c['name'] === 'string' &&
        typeof c['state'] === 'string' &&
        STATES.includes(c['state']) &&
        typeof c['detail'] === 'string' &&
        (c['fix'] === null || c['fix'] === undefined || typeof c['fix'] === 'string')
    );
}

/** Reads doctor's JSON; undefined when it is not a report (`{"checks": [...], "ok", "version"}`). */
export function parseDoctorReport(stdout: string): DoctorReport | undefined {
    let value: unknown;
    try {
        value = JSON.parse(stdout);
    } catch {
        return undefined;
    }
    if (typeof value !== 'object' || value === null) {
        return undefined;
    }
    const v = value as Record<string, unknown>;
    const checks = v['checks'];
    if (!Array.isArray(checks) || checks.length === 0 || !checks.every(isCheck)) {
        return undefined;
    }
    return {
        ok: typeof v['ok'] === 'boolean' ? v['ok'] : checks.every((c) => c.state !== 'error'),
        version: typeof v['version'] === 'string' ? v['version'] : '?',
        checks: checks.map((c) => ({ name: c.name, state: c.state, detail: c.detail, fix: typeof c.fix === 'string' && c.fix.trim() !== '' ? c.fix : null })),
    };
}

function stderrPart(stderr: string): string {
    const s = stderr.trim();
    return s === '' ? 'it wrote nothing on stderr' : `its stderr:\n${s.length > 2000 ? `…${s.slice(-2000)}` : s}`;
}

/**
 * What a finished run means. Doctor exits with 1 when a check is an error
 * and still prints its report, so the exit code alone says nothing: only the
 * JSON on stdout counts. `command` names the command line in the messages.
 */
export function doctorOutcome(run: DoctorRun, command: string): DoctorOutcome {
    if (run.spawnError !== undefined) {
        return { ok: false, problem: `cannot run \`${command}\`: ${run.spawnError}` };
    }
    if (run.timedOut) {
        return { ok: false, problem: `\`${command}\` gave no answer within ${run.timeoutMs < 1000 ? `${run.timeoutMs} ms` : `${Math.round(run.timeoutMs / 1000)} s`} and was stopped; ${stderrPart(run.stderr)}` };
    }
    const report = parseDoctorReport(run.stdout);
    if (report !== undefined) {
        return { ok: true, report };
    }
    const how = run.exitCode === null ? 'was killed' : `exited with ${run.exitCode}`;
    const out = run.stdout.trim() === '' ? 'no JSON report' : 'output that is not a doctor report';
    return { ok: false, problem: `\`${command}\` ${how} with ${out}; ${stderrPart(run.stderr)}` };
}

/** The worst state among the checks: an error, else a warning, else normal. */
export function doctorSeverity(report: DoctorReport): Severity {
    if (report.checks.some((c) => c.state === 'error')) {
        return 'error';
    }
    return report.checks.some((c) => c.state === 'warn') ? 'warning' : 'normal';
}

/** The worse of two severities. */
export function worse(a: Severity, b: Severity): Severity {
    const rank: Record<Severity, number> = { normal: 0, warning: 1, error: 2 };
    return rank[a] >= rank[b] ? a : b;
}

/** One check as text: `model: error — <detail>`, then `    fix: <fix>` when there is one. */
export function formatCheck(c: DoctorCheck): string[] {
    const lines = [`${c.name}: ${c.state} — ${c.detail}`];
    if (c.fix !== null) {
        lines.push(`    fix: ${c.fix}`);
    }
    return lines;
}

/**
 * The report as the dialog shows it: a heading, then every check (name,
 * state, detail, fix). `indexChecked: false` (no workspace folder open) leaves
 * out the index check, which then looked at doctor's working directory.
 */
export function formatDoctorReport(report: DoctorReport, indexChecked = true): string {
    const lines = [`semnav doctor ${report.version}: ${doctorSummary(report)}`];
    for (const c of report.checks) {
        if (c.name === 'index' && !indexChecked) {
            lines.push('index: not checked — no folder is open');
            continue;
        }
        lines.push(...formatCheck(c));
    }
    return lines.join('\n');
}

/** `all checks pass`, or the counts with the names: `1 error (model), 1 warning (binary)`. */
export function doctorSummary(report: DoctorReport): string {
    const named = (state: CheckState): string[] => report.checks.filter((c) => c.state === state).map((c) => c.name);
    const errors = named('error');
    const warnings = named('warn');
    if (errors.length === 0 && warnings.length === 0) {
        return 'all checks pass';
    }
    const part = (names: string[], one: string): string => `${names.length} ${one}${names.length === 1 ? '' : 's'} (${names.join(', ')})`;
    return [errors.length > 0 ? part(errors, 'error') : '', warnings.length > 0 ? part(warnings, 'warning') : ''].filter((s) => s !== '').join(', ');
}

/** The failing checks only (state error), as text: what the status bar's tooltip adds when the server is in trouble. */
export function doctorErrors(outcome: DoctorOutcome): string[] {
    if (!outcome.ok) {
        return [`semnav doctor failed: ${outcome.problem}`];
    }
    return outcome.report.checks.filter((c) => c.state === 'error').flatMap(formatCheck);
}

/** Whether doctor reported a problem with `name` (e.g. `model`), which then carries its own fix. */
export function reportsProblem(outcome: DoctorOutcome | undefined, name: string): boolean {
    return outcome?.ok === true && outcome.report.checks.some((c) => c.name === name && c.state !== 'ok');
}
