/**
 * Finding the `semnav` server binary: the `semnav.server.path` setting first,
 * then `PATH`, then the binary bundled in a platform `.vsix`
 * (`<extension>/server/semnav`). Pure apart from the file checks and the one
 * chmod a bundled binary may need, which are injectable. Must not start it.
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
    /** Adds the executable bits (mode 0o755); throws when it cannot. */
    makeExecutable(p: string): void;
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
    makeExecutable(p: string): void {
        fs.chmodSync(p, 0o755);
    },
};

/** Where the server came from: shown in the log, the status bar and "Show Index Status". */
export type BinarySource = 'setting' | 'PATH' | 'bundled';

export type BinaryResolution =
    | {
          ok: true;
          path: string;
          source: BinarySource;
          /** Set when the bundled binary had lost its executable bit (a zip can) and was made executable. */
          madeExecutable?: true;
      }
    | { ok: false; reason: 'setting-not-executable' | 'bundled-not-executable' | 'not-found'; tried: string[]; message: string };

/** What the lookup reads. */
export interface BinaryLookup {
    /** `semnav.server.path` as set (empty: not set). */
    setting: string;
    ctx: PathContext;
    env: BinaryEnv;
    /** The extension's install folder (`context.extensionPath`): a platform `.vsix` holds the server in its `server/`. */
    extensionDir?: string;
}

export const BINARY_NAME = 'semnav';

/** The folder of a platform `.vsix` that holds the server (see scripts/package-vscode.sh). */
export const BUNDLED_DIR = 'server';

/** How to get a server: shown whenever none is found. */
export const INSTALL_HINT =
    'Install it with `cargo install --locked --path server` in the semnav repository (it puts `semnav` in ~/.cargo/bin, on your PATH), ' +
    'or install the platform .vsix that bundles the server (built by `scripts/package-vscode.sh`), ' +
    'or set `semnav.server.path` to a built `semnav` binary; then run "semnav: Restart Server".';

function candidateNames(platform: NodeJS.Platform, env: BinaryEnv): string[] {
    if (platform !== 'win32') {
        return [BINARY_NAME];
    }
    const exts = (env['PATHEXT'] ?? '.EXE;.CMD;.BAT').split(';').filter((e) => e !== '');
    return [BINARY_NAME, ...exts.map((e) => BINARY_NAME + e.toLowerCase())];
}

/** Where a platform `.vsix` installed in `extensionDir` keeps the server. */
export function bundledBinaryPath(extensionDir: string, platform: NodeJS.Platform = process.platform): string {
    return platform === 'win32' ? path.win32.join(extensionDir, BUNDLED_DIR, `${BINARY_NAME}.exe`) : path.posix.join(extensionDir, BUNDLED_DIR, BINARY_NAME);
}

function errorText(e: unknown): string {
    return e instanceof Error ? e.message : String(e);
}

/**
 * Resolves the server binary.
 *
 * - A non-empty setting wins; `~`, `${userHome}` and `${workspaceFolder}` are
 *   expanded, a relative path is taken from the workspace folder. When it
 *   points at nothing executable that is an error, nothing else is tried: the
 *   user asked for that file.
 * - Otherwise every PATH entry is tried in order.
 * - Last, the binary bundled in the extension (a platform `.vsix`). A zip may
 *   lose the executable bit: a bundled regular file that is not executable is
 *   made executable once (`madeExecutable`); if that fails, the error names it.
 */
export function resolveServerBinary(lookup: BinaryLookup, checks: BinaryChecks = fsChecks, platform: NodeJS.Platform = process.platform): BinaryResolution {
    const { ctx, env } = lookup;
    const configured = expandPath(lookup.setting, ctx);
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
    if (lookup.extensionDir !== undefined && lookup.extensionDir !== '') {
        const bundled = bundledBinaryPath(lookup.extensionDir, platform);
        tried.push(bundled);
        if (checks.isExecutable(bundled)) {
            return { ok: true, path: bundled, source: 'bundled' };
        }
        if (checks.exists(bundled)) {
            let failure: string;
            try {
                checks.makeExecutable(bundled);
                if (checks.isExecutable(bundled)) {
                    return { ok: true, path: bundled, source: 'bundled', madeExecutable: true };
                }
                failure = 'it is still not an executable file';
            } catch (e) {
                failure = errorText(e);
            }
            return {
                ok: false,
                reason: 'bundled-not-executable',
                tried,
                message:
                    `semnav: the server bundled with the extension (${bundled}) is not executable and cannot be made executable (chmod 755: ${failure}). ` +
                    `Run \`chmod 755 ${bundled}\`, or ${INSTALL_HINT.charAt(0).toLowerCase()}${INSTALL_HINT.slice(1)}`,
            };
        }
    }
    return {
        ok: false,
        reason: 'not-found',
        tried,
        message: `semnav: cannot find the semnav language server (semnav.server.path is empty, there is no \`semnav\` on PATH and none bundled with the extension). ${INSTALL_HINT}`,
    };
}

/** Where the running server came from, in words. */
export function describeSource(source: BinarySource): string {
    switch (source) {
        case 'setting':
            return 'set in semnav.server.path';
        case 'PATH':
            return 'found on PATH';
        case 'bundled':
            return 'bundled with the extension';
    }
}
