/**
 * Entry point: starts the semnav language server and registers the commands.
 */
import type * as vscode from 'vscode';

import { registerCommands } from './commands';
import { Server } from './server';

let server: Server | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
    // A platform .vsix keeps the server in <extensionPath>/server/ (the last place looked).
    server = new Server(context.extensionPath);
    context.subscriptions.push(...registerCommands(server));
    // Not awaited: a missing binary or a slow start must not fail activation.
    void server.start();
    return Promise.resolve();
}

export async function deactivate(): Promise<void> {
    const s = server;
    server = undefined;
    await s?.dispose();
}
