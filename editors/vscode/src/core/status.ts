/**
 * What the status-bar item and "Show Index Status" say, from `semnav/status`
 * answers and `$/progress` notifications. Pure.
 */
import type { WorkDoneProgressBegin, WorkDoneProgressEnd, WorkDoneProgressReport } from 'vscode-languageserver-protocol';

import { describeSource, type BinarySource } from './binary';
import { doctorErrors, type DoctorOutcome } from './doctor';
import { formatBytes } from './format';
import { modelProblem, type IndexStatus } from './protocol';

/** How to install the model: shown when the server says it is unavailable. */
export const MODEL_HINT =
    'Install it with `semnav provision` (it fetches the model and ONNX Runtime into ~/.cache/semnav), ' +
    'or set `semnav.modelDir` to a folder holding model.onnx and tokenizer.json; then run "semnav: Restart Server".';

export type ServerState = 'starting' | 'running' | 'stopped' | 'missing';

/** An indexing run reported with `$/progress`. */
export interface ActiveProgress {
    title: string;
    message?: string;
    percentage?: number;
}

/** The server binary that runs, and where it was found. */
export interface RunningBinary {
    path: string;
    source: BinarySource;
}

export interface StatusState {
    server: ServerState;
    /** The binary started (or being started). */
    binary?: RunningBinary;
    /** The last `semnav/status` answer. */
    status?: IndexStatus;
    /** The indexing run in progress, from `$/progress`. */
    progress?: ActiveProgress;
    /** The last error talking to the server. */
    error?: string;
    /** `semnav doctor`'s last answer for this server run (after a failed start or a missing model). */
    doctor?: DoctorOutcome;
}

export interface StatusBarView {
    text: string;
    tooltip: string;
    /** `error` and `warning` colour the item. */
    severity: 'normal' | 'warning' | 'error';
}

/** Whether the server is busy: indexing, or embeddings waiting. */
export function isBusy(state: StatusState): boolean {
    return state.progress !== undefined || state.status?.indexing === true || (state.status?.pendingEmbeddings ?? 0) > 0;
}

function plural(n: number, one: string, many = `${one}s`): string {
    return `${n} ${n === 1 ? one : many}`;
}

/** `Server: /path (bundled with the extension)`. */
export function binaryLine(binary: RunningBinary): string {
    return `Server: ${binary.path} (${describeSource(binary.source)})`;
}

/** The live status, one fact a line (files, chunks, model, index, roots, the binary when known). */
export function statusLines(s: IndexStatus, binary: RunningBinary | undefined): string[] {
    const lines = [
        `Files: ${s.files}`,
        `Chunks: ${s.chunks}`,
        `Pending embeddings: ${s.pendingEmbeddings}`,
        `Model: ${s.model}`,
        `Index: ${s.indexDir ?? '(not created yet)'} (${formatBytes(s.diskBytes)} on disk)`,
    ];
    const roots = s.roots !== undefined && s.roots.length > 0 ? s.roots : s.root !== null ? [s.root] : [];
    lines.push(roots.length <= 1 ? `Root: ${roots[0] ?? '(none)'}` : `Roots: ${roots.join(', ')}`);
    if (binary !== undefined) {
        lines.push(binaryLine(binary));
    }
    return lines;
}

/** `semnav doctor`'s failing checks with their fixes, as tooltip lines (empty when it found none or did not run). */
function doctorLines(state: StatusState): string {
    const errors = state.doctor !== undefined ? doctorErrors(state.doctor) : [];
    return errors.length > 0 ? `\nsemnav doctor:\n${errors.join('\n')}` : '';
}

/** The status-bar item's text, tooltip and colour. */
export function statusBarView(state: StatusState): StatusBarView {
    const click = 'Click for the index status.';
    const server = state.binary !== undefined ? `\n${binaryLine(state.binary)}` : '';
    switch (state.server) {
        case 'missing':
            return { text: '$(error) semnav: no server', tooltip: `The semnav server binary was not found. ${click}`, severity: 'error' };
        case 'stopped':
            return {
                text: '$(error) semnav: stopped',
                tooltip: `The semnav server is not running${state.error !== undefined ? `: ${state.error}` : ''}.${server}${doctorLines(state)}\n${click}`,
                severity: 'error',
            };
        case 'starting':
            return { text: '$(loading~spin) semnav', tooltip: `Starting the semnav server…${server}`, severity: 'normal' };
        case 'running':
            break;
    }
    const s = state.status;
    const problem = s !== undefined ? modelProblem(s) : undefined;
    if (problem !== undefined) {
        const doctor = doctorLines(state);
        // Doctor's model check carries the exact fix; the generic hint until it has run.
        const hint = doctor !== '' ? doctor : `\n${MODEL_HINT}`;
        return { text: '$(warning) semnav: no model', tooltip: `The embedding model is unavailable: ${problem}${hint}${server}\n${click}`, severity: 'warning' };
    }
    const details = s !== undefined ? `\n${statusLines(s, state.binary).join('\n')}` : server;
    const pending = s?.pendingEmbeddings ?? 0;
    if (state.progress !== undefined) {
        const pct = state.progress.percentage !== undefined ? ` ${Math.round(state.progress.percentage)}%` : '';
        const msg = state.progress.message !== undefined ? `: ${state.progress.message}` : '';
        return { text: `$(sync~spin) semnav: indexing${pct}`, tooltip: `${state.progress.title}${msg}${details}\n${click}`, severity: 'normal' };
    }
    if (s?.indexing === true) {
        return { text: '$(sync~spin) semnav: indexing', tooltip: `Indexing the workspace…${details}\n${click}`, severity: 'normal' };
    }
    if (pending > 0) {
        return { text: `$(sync~spin) semnav: ${pending} pending`, tooltip: `${plural(pending, 'chunk')} waiting to be embedded${details}\n${click}`, severity: 'normal' };
    }
    if (state.error !== undefined) {
        return { text: '$(warning) semnav', tooltip: `Last error: ${state.error}${details}\n${click}`, severity: 'warning' };
    }
    if (s === undefined) {
        return { text: '$(search) semnav', tooltip: `semnav is running.${server}\n${click}`, severity: 'normal' };
    }
    return { text: `$(search) semnav: ${s.files}`, tooltip: `semnav: ${plural(s.files, 'file')}, ${plural(s.chunks, 'chunk')} indexed${details}\n${click}`, severity: 'normal' };
}

/** Milliseconds until the next `semnav/status` poll: often while busy, rarely when idle, never when stopped. */
export function pollDelay(state: StatusState, busyMs = 2_000, idleMs = 15_000): number | undefined {
    if (state.server !== 'running') {
        return state.server === 'starting' ? busyMs : undefined;
    }
    if (state.status === undefined || isBusy(state)) {
        return busyMs;
    }
    return idleMs;
}

/** The "Show Index Status" message: a one-line summary and the details (with the binary that runs, when known). */
export function statusReport(s: IndexStatus, binary?: RunningBinary): { message: string; detail: string; modelMissing: boolean } {
    const problem = modelProblem(s);
    const state = s.indexing === true ? 'indexing' : s.pendingEmbeddings > 0 ? `${s.pendingEmbeddings} chunks waiting to be embedded` : 'up to date';
    const message = problem !== undefined ? 'semnav: the embedding model is unavailable' : `semnav: ${plural(s.files, 'file')}, ${plural(s.chunks, 'chunk')} (${state})`;
    const detail = [...statusLines(s, binary), ...(problem !== undefined ? ['', MODEL_HINT] : [])].join('\n');
    return { message, detail, modelMissing: problem !== undefined };
}

type ProgressValue = WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd;

/**
 * Follows `$/progress` for several tokens at once; `current` is the most
 * recently begun run still going.
 */
export class ProgressTracker {
    private readonly active = new Map<string, ActiveProgress>();

    /** Applies one `$/progress` value; returns whether anything changed. */
    update(token: string | number, value: ProgressValue): boolean {
        const key = String(token);
        switch (value.kind) {
            case 'begin': {
                const p: ActiveProgress = { title: value.title };
                if (value.message !== undefined) {
                    p.message = value.message;
                }
                if (value.percentage !== undefined) {
                    p.percentage = value.percentage;
                }
                this.active.delete(key);
                this.active.set(key, p);
                return true;
            }
            case 'report': {
                const p = this.active.get(key);
                if (p === undefined) {
                    return false;
                }
                if (value.message !== undefined) {
                    p.message = value.message;
                }
                if (value.percentage !== undefined) {
                    p.percentage = value.percentage;
                }
                return true;
            }
            case 'end':
                return this.active.delete(key);
        }
    }

    get current(): ActiveProgress | undefined {
        let last: ActiveProgress | undefined;
        for (const p of this.active.values()) {
            last = p;
        }
        return last === undefined ? undefined : { ...last };
    }

    clear(): void {
        this.active.clear();
    }
}
