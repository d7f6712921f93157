/**
 * The status-bar item: indexing progress (from `$/progress`) and pending
 * embeddings (from polling `semnav/status`, often while busy, rarely when idle).
 * Clicking it runs "semnav: Show Index Status".
 */
import * as vscode from 'vscode';
import type { WorkDoneProgressBegin, WorkDoneProgressEnd, WorkDoneProgressReport } from 'vscode-languageclient';

import type { DoctorOutcome } from './core/doctor';
import { modelProblem, type IndexStatus } from './core/protocol';
import { pollDelay, ProgressTracker, statusBarView, type RunningBinary, type ServerState, type StatusState } from './core/status';

export interface StatusSource {
    /** Asks the running server for its status; rejects when there is none. */
    requestStatus(): Promise<IndexStatus>;
}

export class StatusBar implements vscode.Disposable {
    private readonly item: vscode.StatusBarItem;
    private readonly progress = new ProgressTracker();
    private state: StatusState = { server: 'starting' };
    private timer: ReturnType<typeof setTimeout> | undefined;
    private polling = false;
    private disposed = false;
    /** Whether the model problem was already reported for this server run. */
    private modelProblemShown = false;
    /** Counts server starts: a doctor report taken before the latest start is stale. */
    private starts = 0;

    /** `onModelProblem` is called once per server start when the server says the model is unavailable. */
    constructor(
        private readonly source: StatusSource,
        private readonly onModelProblem: (problem: string) => void,
    ) {
        this.item = vscode.window.createStatusBarItem('semnav.status', vscode.StatusBarAlignment.Left, 10);
        this.item.name = 'semnav';
        this.item.command = 'semnav.showStatus';
        this.render();
        this.item.show();
    }

    get current(): StatusState {
        return this.state;
    }

    setServer(server: ServerState, error?: string): void {
        const next: StatusState = { ...this.state, server };
        if (error !== undefined) {
            next.error = error;
        } else {
            delete next.error;
        }
        if (server === 'starting') {
            this.modelProblemShown = false;
            this.starts++;
            delete next.doctor;
        }
        if (server !== 'running') {
            this.progress.clear();
            delete next.progress;
        }
        this.state = next;
        this.render();
        this.schedule(server === 'running' ? 0 : pollDelay(this.state));
    }

    /** The binary that runs (shown in the tooltip and "Show Index Status"), or undefined when there is none. */
    setBinary(binary: RunningBinary | undefined): void {
        const { binary: _old, ...rest } = this.state;
        this.state = binary !== undefined ? { ...rest, binary } : rest;
        this.render();
    }

    /** The current server run, to pass back to `setDoctor` with a report taken during it. */
    get run(): number {
        return this.starts;
    }

    /**
     * Shows `semnav doctor`'s failing checks in the tooltip (when the server
     * stopped or has no model). Ignored when the server was started again
     * since `run` was read: the report may no longer be true.
     */
    setDoctor(outcome: DoctorOutcome, run: number): void {
        if (run !== this.starts || this.disposed) {
            return;
        }
        this.state = { ...this.state, doctor: outcome };
        this.render();
    }

    /** Follows one `$/progress` value (called from the client middleware). */
    onProgress(token: string | number, value: WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd): void {
        if (!this.progress.update(token, value)) {
            return;
        }
        const current = this.progress.current;
        if (current !== undefined) {
            this.state = { ...this.state, progress: current };
        } else {
            const { progress: _done, ...rest } = this.state;
            this.state = rest;
        }
        this.render();
        // A run started or ended: get fresh counts soon.
        if (value.kind !== 'report') {
            this.schedule(value.kind === 'end' ? 200 : 1_000);
        }
    }

    /** Polls now (after a command that changes the index). */
    pollSoon(): void {
        this.schedule(100);
    }

    private schedule(delay: number | undefined): void {
        if (this.disposed) {
            return;
        }
        if (this.timer !== undefined) {
            clearTimeout(this.timer);
            this.timer = undefined;
        }
        if (delay !== undefined) {
            this.timer = setTimeout(() => void this.poll(), delay);
        }
    }

    private async poll(): Promise<void> {
        this.timer = undefined;
        if (this.polling || this.state.server !== 'running') {
            return;
        }
        this.polling = true;
        try {
            const status = await this.source.requestStatus();
            const { error: _old, ...rest } = this.state;
            this.state = { ...rest, status };
            const problem = modelProblem(status);
            if (problem !== undefined && !this.modelProblemShown) {
                this.modelProblemShown = true;
                this.onModelProblem(problem);
            }
        } catch (e) {
            if (this.state.server === 'running') {
                this.state = { ...this.state, error: e instanceof Error ? e.message : String(e) };
            }
        } finally {
            this.polling = false;
        }
        this.render();
        this.schedule(pollDelay(this.state));
    }

    private render(): void {
        const view = statusBarView(this.state);
        this.item.text = view.text;
        this.item.tooltip = view.tooltip;
        this.item.backgroundColor =
            view.severity === 'error'
                ? new vscode.ThemeColor('statusBarItem.errorBackground')
                : view.severity === 'warning'
                  ? new vscode.ThemeColor('statusBarItem.warningBackground')
                  : undefined;
    }

    dispose(): void {
        this.disposed = true;
        if (this.timer !== undefined) {
            clearTimeout(this.timer);
        }
        this.item.dispose();
    }
}

