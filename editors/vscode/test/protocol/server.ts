/**
 * Starts the real `semnav lsp` binary and talks to it with the protocol
 * library the extension uses (vscode-languageserver-protocol over
 * vscode-jsonrpc), answering the server's requests the way
 * vscode-languageclient does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {
    createProtocolConnection,
    ExitNotification,
    InitializedNotification,
    InitializeRequest,
    LogMessageNotification,
    RegistrationRequest,
    ShowMessageNotification,
    ShutdownRequest,
    StreamMessageReader,
    StreamMessageWriter,
    WorkDoneProgress,
    WorkDoneProgressCreateRequest,
    type ClientCapabilities,
    type InitializeResult,
    type ProtocolConnection,
    type WorkDoneProgressBegin,
    type WorkDoneProgressEnd,
    type WorkDoneProgressReport,
} from 'vscode-languageserver-protocol/node';

import { isIndexReady, modelProblem, StatusRequest, statusParams, type IndexStatus } from '../../src/core/protocol';
import type { ServerConfig } from '../../src/core/settings';
import { MODEL_HINT } from '../../src/core/status';

/** The extension folder (this file runs from out/test/protocol/). */
export const EXTENSION_DIR = path.resolve(__dirname, '..', '..', '..');

/** The server binary: $SEMNAV_BIN, else the workspace's debug build. Throws, saying how to build it, when missing. */
export function locateBinary(): string {
    const fromEnv = process.env['SEMNAV_BIN'];
    const bin = fromEnv !== undefined && fromEnv !== '' ? path.resolve(fromEnv) : path.resolve(EXTENSION_DIR, '..', '..', 'target', 'debug', 'semnav');
    let ok: boolean;
    try {
        fs.accessSync(bin, fs.constants.X_OK);
        ok = fs.statSync(bin).isFile();
    } catch {
        ok = false;
    }
    if (!ok) {
        throw new Error(
            `semnav binary not found at ${bin}${fromEnv !== undefined && fromEnv !== '' ? ' (from SEMNAV_BIN)' : ''}: ` +
                'run `cargo build --workspace` in the repository root, or set SEMNAV_BIN to a built semnav binary.',
        );
    }
    return bin;
}

type ProgressValue = WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd;

export interface ProgressEvent {
    token: string | number;
    value: ProgressValue;
}

/** What vscode-languageclient announces, for the parts this server looks at. */
const CAPABILITIES: ClientCapabilities = {
    general: { positionEncodings: ['utf-16'] },
    window: { workDoneProgress: true, showMessage: {} },
    workspace: {
        configuration: true,
        didChangeConfiguration: { dynamicRegistration: true },
        didChangeWatchedFiles: { dynamicRegistration: true },
        codeLens: { refreshSupport: true },
        workspaceFolders: true,
        symbol: { dynamicRegistration: true },
    },
    textDocument: {
        synchronization: { dynamicRegistration: true, didSave: true },
        hover: { dynamicRegistration: true, contentFormat: ['markdown', 'plaintext'] },
        codeLens: { dynamicRegistration: true },
    },
};

export class TestServer {
    readonly connection: ProtocolConnection;
    readonly progress: ProgressEvent[] = [];
    readonly messages: string[] = [];
    private readonly proc: ChildProcess;
    private readonly stderr: string[] = [];
    private exited: number | null | undefined;

    constructor(
        bin: string,
        private readonly logFile: string,
    ) {
        this.proc = spawn(bin, ['lsp'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, RUST_BACKTRACE: '1' } });
        this.proc.stderr?.setEncoding('utf8');
        this.proc.stderr?.on('data', (chunk: string) => {
            this.stderr.push(chunk);
            fs.appendFileSync(this.logFile, chunk);
        });
        this.proc.on('exit', (code) => {
            this.exited = code;
        });
        if (this.proc.stdout === null || this.proc.stdin === null) {
            throw new Error('no stdio pipes to the server');
        }
        this.connection = createProtocolConnection(new StreamMessageReader(this.proc.stdout), new StreamMessageWriter(this.proc.stdin));
        this.connection.onRequest(WorkDoneProgressCreateRequest.type, (params) => {
            this.connection.onProgress(WorkDoneProgress.type, params.token, (value) => {
                this.progress.push({ token: params.token, value });
            });
        });
        this.connection.onRequest(RegistrationRequest.type, () => undefined);
        this.connection.onRequest('workspace/codeLens/refresh', () => null);
        this.connection.onNotification(ShowMessageNotification.type, (p) => {
            this.messages.push(`showMessage(${p.type}): ${p.message}`);
        });
        this.connection.onNotification(LogMessageNotification.type, (p) => {
            this.messages.push(`logMessage(${p.type}): ${p.message}`);
        });
        this.connection.listen();
    }

    async initialize(rootUri: string, name: string, initializationOptions: ServerConfig): Promise<InitializeResult> {
        const result = await this.connection.sendRequest(InitializeRequest.type, {
            processId: process.pid,
            clientInfo: { name: 'semnav protocol test' },
            rootUri,
            workspaceFolders: [{ uri: rootUri, name }],
            capabilities: CAPABILITIES,
            initializationOptions,
        });
        await this.connection.sendNotification(InitializedNotification.type, {});
        return result;
    }

    /** Polls semnav/status until the index is complete, as the extension's status bar does. */
    async waitReady(timeoutMs: number): Promise<IndexStatus> {
        const deadline = Date.now() + timeoutMs;
        let last: IndexStatus | undefined;
        while (Date.now() < deadline) {
            if (this.exited !== undefined) {
                throw new Error(`the server exited with code ${String(this.exited)}\n${this.diagnostics()}`);
            }
            last = await this.connection.sendRequest(StatusRequest, statusParams());
            const problem = modelProblem(last);
            if (problem !== undefined) {
                throw new Error(`the embedding model is unavailable: ${problem}\n${MODEL_HINT}`);
            }
            if (isIndexReady(last)) {
                return last;
            }
            await new Promise((r) => setTimeout(r, 200));
        }
        throw new Error(`the index was not ready after ${timeoutMs} ms; last status ${JSON.stringify(last)}\n${this.diagnostics()}`);
    }

    /** The server's last log lines and messages, for failure reports. */
    diagnostics(): string {
        const log = this.stderr.join('').split('\n').slice(-30).join('\n');
        return `server log (${this.logFile}), last lines:\n${log}\nmessages:\n${this.messages.slice(-10).join('\n')}`;
    }

    /** shutdown + exit, then waits for the process (killing it after a grace period). */
    async stop(): Promise<number | null> {
        if (this.exited === undefined) {
            try {
                await withTimeout(this.connection.sendRequest(ShutdownRequest.type), 10_000, 'shutdown');
                await this.connection.sendNotification(ExitNotification.type);
            } catch {
                // Killed below.
            }
            await new Promise<void>((resolve) => {
                if (this.exited !== undefined) {
                    resolve();
                    return;
                }
                const timer = setTimeout(() => {
                    this.proc.kill('SIGKILL');
                }, 5_000);
                this.proc.once('exit', () => {
                    clearTimeout(timer);
                    resolve();
                });
            });
        }
        this.connection.dispose();
        return this.exited ?? null;
    }
}

export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
        return await Promise.race([
            p,
            new Promise<never>((_, reject) => {
                timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
            }),
        ]);
    } finally {
        clearTimeout(timer);
    }
}

/** Retries `probe` until it returns a value accepted by `ok`. */
export async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: T | undefined;
    for (;;) {
        last = await probe();
        if (ok(last)) {
            return last;
        }
        if (Date.now() > deadline) {
            throw new Error(`${what}: still ${JSON.stringify(last)} after ${timeoutMs} ms`);
        }
        await new Promise((r) => setTimeout(r, 100));
    }
}
