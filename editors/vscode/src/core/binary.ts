/**
 * Finding the `semnav` server binary: the `semnav.server.path` setting first,
 * then `PATH`. Pure apart from the file checks, which are injectable.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { expandPath, type PathContext } from './settings';

/** The environment variables used: PATH, and on Windows PATHEXT (`.EXE;.CMD;…`). */
export type BinaryEnv = Readonly<Record<string, string | undefined>>;

export interface BinaryChecks {
    /** Whether `p` is an executable regular file. */
    isExecutable(p: string): boolean;
    /** Whether anything exists at `p`. */
    exists(p: string): boolean;
}

export const fsChecks: BinaryChecks = {
    isExecutable(p: string): boolean {
        try {
            if (!fs.statSync(p).isFile()) {
                return false;
            }
            fs.accessSync(p, process.platform === 'win32' ? fs.constants.F_OK : fs.constants.X_OK);
            return true;
        } catch {
            return false;
        }
    },
    exists(p: string): boolean {
        return fs.existsSync(p);
    },
};

export type BinaryResolution =
    | { ok: true; path: string; source: 'setting' | 'PATH' }
    | { ok: false; reason: 'setting-not-executable' | 'not-found'; tried: string[]; message: string };

export const BINARY_NAME = 'semnav';

/** How to get a server: shown whenever none is found. */
export const INSTALL_HINT =
    'Build it with `cargo build --release` in the semnav repository, then set `semnav.server.path` ' +
    'to the built `target/release/semnav` or put `semnav` on your PATH, and run "semnav: Restart Server".';

function candidateNames(platform: NodeJS.Platform, env: BinaryEnv): string[] {
    if (platform !== 'win32') {
        return [BINARY_NAME];
    }
    const exts = (env['PATHEXT'] ?? '.EXE;.CMD;.BAT').split(';').filter((e) => e !== '');
    return [BINARY_NAME, ...exts.map((e) => BINARY_NAME + e.toLowerCase())];
}

/**
 * Resolves the server binary.
 *
 * - A non-empty setting wins; `~`, `${userHome}` and `${workspaceFolder}` are
 *   expanded, a relative path is taken from the workspace folder. When it
 *   points at nothing executable that is an error, PATH is not tried: the user
 *   asked for that file.
 * - Otherwise every PATH entry is tried in order.
 */
export function resolveServerBinary(
    setting: string,
    ctx: PathContext,
    env: BinaryEnv,
    checks: BinaryChecks = fsChecks,
    platform: NodeJS.Platform = process.platform,
): BinaryResolution {
    const configured = expandPath(setting, ctx);
    if (configured !== '') {
        if (checks.isExecutable(configured)) {
            return { ok: true, path: configured, source: 'setting' };
        }
        const what = checks.exists(configured) ? 'is not an executable file' : 'does not exist';
        return {
            ok: false,
            reason: 'setting-not-executable',
            tried: [configured],
            message: `semnav: the server set in semnav.server.path (${configured}) ${what}. ${INSTALL_HINT}`,
        };
    }
    const delimiter = platform === 'win32' ? ';' : ':';
    const dirs = (env['PATH'] ?? '').split(delimiter).filter((d) => d !== '');
    const tried: string[] = [];
    for (const dir of dirs) {
        for (const name of candidateNames(platform, env)) {
            const candidate = platform === 'win32' ? path.win32.join(dir, name) : path.posix.join(dir, name);
            tried.push(candidate);
            if (checks.isExecutable(candidate)) {
                return { ok: true, path: candidate, source: 'PATH' };
            }
        }
    }
    return {
        ok: false,
        reason: 'not-found',
        tried,
        message: `semnav: cannot find the semnav language server (semnav.server.path is empty and there is no \`semnav\` on PATH). ${INSTALL_HINT}`,
    };
}
