/**
 * What "semnav: Show Index Status" shows: the live index status from the
 * running server (`semnav/status`) and, below it, `semnav doctor`'s checks,
 * as one message, one detail text and one severity. Pure: the command
 * gathers both answers and shows the result.
 *
 * Doctor's report is shown even when the server is not running: that is
 * when the user needs it.
 */
import { doctorSeverity, formatDoctorReport, reportsProblem, worse, type DoctorOutcome, type Severity } from './doctor';
import { binaryLine, MODEL_HINT, statusLines, statusReport, type RunningBinary, type ServerState } from './status';
import type { IndexStatus } from './protocol';

/** What the server said, or why it said nothing. */
export type LiveStatus =
    | { kind: 'status'; status: IndexStatus }
    /** The server runs but `semnav/status` failed. */
    | { kind: 'failed'; error: string }
    | { kind: 'not-running'; server: ServerState; error?: string };

export interface StatusDialogInput {
    live: LiveStatus;
    /** The binary the server runs (or would run), and where it was found. */
    binary?: RunningBinary | undefined;
    doctor: DoctorOutcome;
    /** False when no folder is open: doctor's index check is then left out. */
    indexChecked: boolean;
}

export interface StatusDialog {
    /** The dialog's one-line message. */
    message: string;
    /** The dialog's detail: the live status, a blank line, doctor's checks. */
    detail: string;
    /** The worse of the live status and doctor's checks: picks the kind of dialog. */
    severity: Severity;
    /** Whether the server answered (so "Reindex" makes sense). */
    running: boolean;
}

function notRunningMessage(server: ServerState): string {
    switch (server) {
        case 'starting':
            return 'semnav: the server is still starting';
        case 'missing':
            return 'semnav: no server binary';
        case 'running':
        case 'stopped':
            return 'semnav: the server is not running';
    }
}

export function statusDialog(input: StatusDialogInput): StatusDialog {
    const { live, binary, doctor } = input;
    let message: string;
    let liveLines: string[];
    let severity: Severity;
    switch (live.kind) {
        case 'status': {
            const report = statusReport(live.status, binary);
            message = report.message;
            liveLines = statusLines(live.status, binary);
            // Doctor's model check carries the exact fix; the generic hint only when it has none.
            if (report.modelMissing && !reportsProblem(doctor, 'model')) {
                liveLines.push('', MODEL_HINT);
            }
            severity = report.modelMissing ? 'warning' : 'normal';
            break;
        }
        case 'failed':
            message = 'semnav: cannot read the index status';
            liveLines = [`semnav/status failed: ${live.error}`, ...(binary !== undefined ? [binaryLine(binary)] : [])];
            severity = 'warning';
            break;
        case 'not-running':
            message = notRunningMessage(live.server);
            liveLines = [
                `The language server is not running${live.error !== undefined ? `: ${live.error}` : ''}.${live.server === 'stopped' ? ' The checks below say what is missing; then run "semnav: Restart Server".' : ''}`,
                ...(binary !== undefined ? [binaryLine(binary)] : []),
            ];
            severity = live.server === 'starting' ? 'normal' : 'error';
            break;
    }
    const doctorText = doctor.ok ? formatDoctorReport(doctor.report, input.indexChecked) : `semnav doctor failed: ${doctor.problem}`;
    severity = worse(severity, doctor.ok ? doctorSeverity(doctor.report) : 'warning');
    return { message, detail: [...liveLines, '', doctorText].join('\n'), severity, running: live.kind !== 'not-running' };
}
