/**
 * Starting, configuring and restarting the semnav language server.
 */
import * as vscode from 'vscode';
import {
    DidChangeConfigurationNotification,
    LanguageClient,
    State,
    TransportKind,
    type LanguageClientOptions,
    type ServerOptions,
} from 'vscode-languageclient/node';

import { describeSource, INSTALL_HINT, resolveServerBinary, type BinaryResolution } from './core/binary';
import { doctorArgs, doctorCommand, doctorSummary, type DoctorOutcome } from './core/doctor';
import { StatusRequest, statusParams, type IndexStatus } from './core/protocol';
import {
    configurationChange,
    defaultPathContext,
    didChangeConfigurationParams,
    readSettings,
    toInitializationOptions,
    type ExtensionSettings,
    type PathContext,
} from './core/settings';
import { runDoctor } from './core/runDoctor';
import { MODEL_HINT, type RunningBinary } from './core/status';
import { StatusBar } from './statusBar';

const CLIENT_ID = 'semnav';
const CLIENT_NAME = 'semnav';

function pathContext(): PathContext {
    return defaultPathContext(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
}

function currentSettings(): ExtensionSettings {
    const config = vscode.workspace.getConfiguration('semnav');
    return readSettings((key) => config.get(key));
}

/** `semnav doctor`'s answer and the binary that gave it, or why it could not run (no binary). */
export type DoctorResult = { ok: true; outcome: DoctorOutcome; binary: RunningBinary; indexChecked: boolean } | { ok: false; message: string };

export class Server implements vscode.Disposable {
    readonly output: vscode.LogOutputChannel;
    readonly statusBar: StatusBar;
    private client: LanguageClient | undefined;
    private settings: ExtensionSettings = currentSettings();
    /** Serialises start/stop/restart. */
    private lifecycle: Promise<void> = Promise.resolve();
    private readonly disposables: vscode.Disposable[] = [];

    /** `extensionDir`: the extension's install folder (`context.extensionPath`), where a platform .vsix keeps its server. */
    constructor(private readonly extensionDir: string) {
        this.output = vscode.window.createOutputChannel('semnav', { log: true });
        this.statusBar = new StatusBar({ requestStatus: () => this.status() }, (problem) => void this.showModelProblem(problem));
        this.disposables.push(
            this.output,
            this.statusBar,
            vscode.workspace.onDidChangeConfiguration((e) => {
                // semnav.trace.server is applied by vscode-languageclient itself,
                // and changes no server setting: configurationChange ignores it.
                if (e.affectsConfiguration('semnav')) {
                    this.settingsChanged();
                }
            }),
        );
    }

    /** The running client, or an error saying why there is none (and showing what to do). */
    running(): LanguageClient {
        if (this.client === undefined || this.client.state !== State.Running) {
            throw new Error('the semnav server is not running (see "semnav: Show Index Status" or "semnav: Restart Server")');
        }
        return this.client;
    }

    isRunning(): boolean {
        return this.client?.state === State.Running;
    }

    /**
     * The running client once any start or restart under way has finished
     * (commands run right after VS Code starts wait for the server), or
     * undefined when there is none.
     */
    async ready(): Promise<LanguageClient | undefined> {
        await this.lifecycle;
        return this.isRunning() ? this.client : undefined;
    }

    async status(): Promise<IndexStatus> {
        return this.running().sendRequest(StatusRequest, statusParams());
    }

    start(): Promise<void> {
        return this.enqueue(() => this.doStart());
    }

    restart(): Promise<void> {
        return this.enqueue(async () => {
            await this.doStop();
            await this.doStart();
        });
    }

    stop(): Promise<void> {
        return this.enqueue(() => this.doStop());
    }

    private enqueue(step: () => Promise<void>): Promise<void> {
        const next = this.lifecycle.then(step, step);
        this.lifecycle = next.catch(() => undefined);
        return next;
    }

    private settingsChanged(): void {
        const next = currentSettings();
        const change = configurationChange(this.settings, next, pathContext());
        this.settings = next;
        if (change.restart !== undefined) {
            this.output.info(`restarting the server: ${change.restart}`);
            void this.restart();
        } else if (change.notify !== undefined) {
            const config = change.notify;
            // After a start under way, if any; a server started later reads the new settings itself.
            void this.ready().then(async (client) => {
                if (client === undefined) {
                    return;
                }
                this.output.info(`sending settings: ${JSON.stringify(config)}`);
                try {
                    await client.sendNotification(DidChangeConfigurationNotification.type, didChangeConfigurationParams(config));
                } catch (e) {
                    this.output.error(`cannot send settings: ${String(e)}`);
                }
                this.statusBar.pollSoon();
            });
        }
    }

    /** The setting, then PATH, then the bundled binary. */
    private resolveBinary(ctx: PathContext, settings: ExtensionSettings = this.settings): BinaryResolution {
        return resolveServerBinary({ setting: settings.serverPath, ctx, env: process.env, extensionDir: this.extensionDir });
    }

    /**
     * Runs `semnav doctor --json` with the binary the server runs (resolved as
     * for a start), the user's `semnav.modelDir` / `semnav.model` /
     * `semnav.indexDir` as its flags and the first workspace folder as the
     * path, in the server's environment. Works whether or not the server runs.
     */
    async doctor(): Promise<DoctorResult> {
        const settings = currentSettings();
        const ctx = pathContext();
        const binary = this.resolveBinary(ctx, settings);
        if (!binary.ok) {
            return { ok: false, message: binary.message };
        }
        const root = ctx.workspaceFolder;
        const args = doctorArgs(settings, ctx, root);
        this.output.info(`running ${doctorCommand(binary.path, args)}`);
        const outcome = await runDoctor(binary.path, args, { env: { ...process.env }, ...(root !== undefined ? { cwd: root } : {}) });
        if (outcome.ok) {
            this.output.info(`semnav doctor: ${doctorSummary(outcome.report)}`);
        } else {
            this.output.warn(`semnav doctor failed: ${outcome.problem}`);
        }
        return { ok: true, outcome, binary: { path: binary.path, source: binary.source }, indexChecked: root !== undefined };
    }

    /** Runs doctor for the status bar's tooltip (after a failed start or a missing model). */
    private async diagnose(): Promise<void> {
        const run = this.statusBar.run;
        const result = await this.doctor();
        if (result.ok) {
            this.statusBar.setDoctor(result.outcome, run);
        }
    }

    private async doStart(): Promise<void> {
        this.settings = currentSettings();
        const ctx = pathContext();
        const binary = this.resolveBinary(ctx);
        if (!binary.ok) {
            this.statusBar.setBinary(undefined);
            this.output.error(binary.message);
            if (binary.tried.length > 0) {
                this.output.info(`looked for: ${binary.tried.join(', ')}`);
            }
            this.statusBar.setServer('missing');
            void this.showMissingBinary(binary.message);
            return;
        }
        if (binary.madeExecutable === true) {
            this.output.warn(`the bundled server ${binary.path} was not executable (the .vsix lost its mode): made it executable (chmod 755)`);
        }
        this.output.info(`starting ${binary.path} lsp (${describeSource(binary.source)})`);
        this.statusBar.setBinary({ path: binary.path, source: binary.source });
        this.statusBar.setServer('starting');

        const serverOptions: ServerOptions = {
            command: binary.path,
            args: ['lsp'],
            transport: TransportKind.stdio,
            options: { env: { ...process.env } },
        };
        const clientOptions: LanguageClientOptions = {
            // The server decides by file name which files it indexes.
            documentSelector: [{ scheme: 'file' }, { scheme: 'untitled' }],
            initializationOptions: toInitializationOptions(this.settings, ctx),
            outputChannel: this.output,
            middleware: {
                // Watch indexing progress for the status bar; VS Code's own
                // progress indicator still gets every value.
                handleWorkDoneProgress: (token, params, next) => {
                    this.statusBar.onProgress(token, params);
                    next(token, params);
                },
            },
            initializationFailedHandler: (error) => {
                this.output.error(`the server failed to initialize: ${String(error)}`);
                return false;
            },
        };
        const client = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
        client.onDidChangeState((e) => {
            if (this.client !== client) {
                return;
            }
            if (e.newState === State.Running) {
                this.statusBar.setServer('running');
            } else if (e.newState === State.Stopped) {
                this.statusBar.setServer('stopped');
            }
        });
        this.client = client;
        try {
            await client.start();
            this.statusBar.setServer('running');
        } catch (e) {
            const message = e instanceof Error ? e.message : String(e);
            this.output.error(`cannot start ${binary.path}: ${message}`);
            this.statusBar.setServer('stopped', message);
            void this.diagnose();
            void vscode.window.showErrorMessage(`semnav: cannot start the server ${binary.path}: ${message}`, 'Show Log').then((choice) => {
                if (choice === 'Show Log') {
                    this.output.show();
                }
            });
        }
    }

    private async doStop(): Promise<void> {
        const client = this.client;
        this.client = undefined;
        if (client !== undefined) {
            try {
                if (client.isRunning()) {
                    await client.stop(5_000);
                }
            } catch (e) {
                this.output.warn(`stopping the server: ${String(e)}`);
            }
            await client.dispose().catch(() => undefined);
        }
        this.statusBar.setServer('stopped');
    }

    private async showMissingBinary(message: string): Promise<void> {
        const choice = await vscode.window.showErrorMessage(message, 'Open Settings', 'Retry', 'Show Log');
        if (choice === 'Open Settings') {
            await vscode.commands.executeCommand('workbench.action.openSettings', 'semnav.server.path');
        } else if (choice === 'Retry') {
            await this.restart();
        } else if (choice === 'Show Log') {
            this.output.show();
        }
    }

    private async showModelProblem(problem: string): Promise<void> {
        this.output.error(`the embedding model is unavailable: ${problem}`);
        void this.diagnose();
        const choice = await vscode.window.showWarningMessage(`semnav: the embedding model is unavailable: ${problem}. ${MODEL_HINT}`, 'Open Settings', 'Restart Server');
        if (choice === 'Open Settings') {
            await vscode.commands.executeCommand('workbench.action.openSettings', 'semnav.modelDir');
        } else if (choice === 'Restart Server') {
            await this.restart();
        }
    }

    /** Shows what to do when a command needs the server and there is none. */
    explainNotRunning(): void {
        if (this.statusBar.current.server === 'missing') {
            const binary = this.resolveBinary(pathContext());
            void this.showMissingBinary(binary.ok ? `semnav: the server is not running; run "semnav: Restart Server". ${INSTALL_HINT}` : binary.message);
            return;
        }
        void vscode.window.showErrorMessage('semnav: the server is not running.', 'Restart Server', 'Show Log').then((choice) => {
            if (choice === 'Restart Server') {
                void this.restart();
            } else if (choice === 'Show Log') {
                this.output.show();
            }
        });
    }

    async dispose(): Promise<void> {
        await this.stop();
        for (const d of this.disposables) {
            d.dispose();
        }
    }
}
