/**
 * The platform .vsix holds a working server: scripts/package-vscode.sh
 * packages the extension with the workspace's binary ($SEMNAV_BIN, else
 * ../../target/debug/semnav); the .vsix is opened as a zip (yauzl, what VS
 * Code itself extracts extensions with) and extracted the way VS Code does,
 * modes kept; the extracted binary prints the crate's version, answers an LSP
 * session over stdio, and is what the extension's resolver picks when the
 * setting and PATH are empty.
 *
 * Run after the unit and protocol tests (`npm run test:vsix`): packaging
 * rebuilds dist/ and writes server/ in the extension folder for a moment.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';

import * as yauzl from 'yauzl';

import { StatusRequest, statusParams } from '../../src/core/protocol';
import { resolveServerBinary } from '../../src/core/binary';
import { eventually, EXTENSION_DIR, locateBinary, TestServer, withTimeout } from '../protocol/server';

const REPO = path.resolve(EXTENSION_DIR, '..', '..');
const SCRIPT = path.join(REPO, 'scripts', 'package-vscode.sh');
/** Packaging a debug build (~140 MB) takes ~10 s on 2 cores; generous for a loaded CI machine. */
const PACKAGE_TIMEOUT_MS = 180_000;

/** This machine's VS Code target, as the script works it out. */
function hostTarget(): string {
    const arch = ({ x64: 'x64', arm64: 'arm64', arm: 'armhf' } as Record<string, string>)[process.arch] ?? process.arch;
    const header = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header;
    const platform = process.platform === 'linux' && header?.glibcVersionRuntime === undefined ? 'alpine' : process.platform;
    return `${platform}-${arch}`;
}

function crateVersion(): string {
    const m = /^version = "([^"]+)"$/m.exec(fs.readFileSync(path.join(REPO, 'server', 'Cargo.toml'), 'utf8'));
    assert.ok(m?.[1] !== undefined, 'server/Cargo.toml has a version');
    return m[1];
}

function sha256(file: string): string {
    return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

interface ZipEntry {
    entry: yauzl.Entry;
    /** The unix mode stored by the packer (`externalFileAttributes >> 16`); 0 when none. */
    mode: number;
}

/** Every entry of the zip, by name. */
async function listZip(file: string): Promise<Map<string, ZipEntry>> {
    const zip = await yauzl.openPromise(file, { lazyEntries: true });
    const entries = new Map<string, ZipEntry>();
    try {
        await new Promise<void>((resolve, reject) => {
            zip.on('entry', (entry: yauzl.Entry) => {
                entries.set(entry.fileName, { entry, mode: (entry.externalFileAttributes >>> 16) & 0o7777 });
                zip.readEntry();
            });
            zip.once('end', resolve);
            zip.once('error', reject);
            zip.readEntry();
        });
    } finally {
        zip.close();
    }
    return entries;
}

/** Extracts every file under `dest` with its stored mode, as VS Code installs a .vsix. */
async function extractZip(file: string, dest: string): Promise<void> {
    const zip = await yauzl.openPromise(file, { lazyEntries: true });
    try {
        await new Promise<void>((resolve, reject) => {
            zip.on('entry', (entry: yauzl.Entry) => {
                const bad = yauzl.validateFileName(entry.fileName);
                if (bad !== null) {
                    reject(new Error(`${file}: entry ${entry.fileName}: ${bad}`));
                    return;
                }
                const target = path.join(dest, entry.fileName);
                if (entry.fileName.endsWith('/')) {
                    fs.mkdirSync(target, { recursive: true });
                    zip.readEntry();
                    return;
                }
                fs.mkdirSync(path.dirname(target), { recursive: true });
                const mode = (entry.externalFileAttributes >>> 16) & 0o777;
                zip.openReadStreamPromise(entry)
                    .then((stream) => pipeline(stream, fs.createWriteStream(target, { mode: mode !== 0 ? mode : 0o644 })))
                    .then(() => {
                        if (mode !== 0) {
                            fs.chmodSync(target, mode);
                        }
                        zip.readEntry();
                    })
                    .catch(reject);
            });
            zip.once('end', resolve);
            zip.once('error', reject);
            zip.readEntry();
        });
    } finally {
        zip.close();
    }
}

describe('the platform .vsix (scripts/package-vscode.sh)', () => {
    const target = hostTarget();
    const exe = process.platform === 'win32' ? 'semnav.exe' : 'semnav';
    const timings: string[] = [];
    let tmp = '';
    let bin = '';
    let vsix = '';
    let entries = new Map<string, ZipEntry>();
    /** The extracted extension folder: what VS Code passes as context.extensionPath. */
    let extensionDir = '';
    let bundled = '';

    const timed = async <T>(what: string, f: () => T | Promise<T>): Promise<T> => {
        const start = Date.now();
        const result = await f();
        timings.push(`${what} ${((Date.now() - start) / 1000).toFixed(1)} s`);
        return result;
    };

    before(
        async () => {
            bin = locateBinary();
            tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'semnav-vsix-'));
            vsix = path.join(tmp, `semnav-${target}.vsix`);
            const run = await timed('package', () => spawnSync('bash', [SCRIPT, bin, '--out', vsix], { cwd: REPO, encoding: 'utf8', timeout: PACKAGE_TIMEOUT_MS }));
            assert.equal(run.status, 0, `${SCRIPT} ${bin} failed (${String(run.error ?? run.signal ?? run.status)}):\n${run.stdout}\n${run.stderr}`);
            assert.ok(!fs.existsSync(path.join(EXTENSION_DIR, 'server')), 'the script removes the binary it copied into the extension folder');
            entries = await timed('list', () => listZip(vsix));
            await timed('extract', () => extractZip(vsix, path.join(tmp, 'installed')));
            extensionDir = path.join(tmp, 'installed', 'extension');
            bundled = path.join(extensionDir, 'server', exe);
        },
        { timeout: PACKAGE_TIMEOUT_MS + 60_000 },
    );

    after(() => {
        if (tmp !== '') {
            fs.rmSync(tmp, { recursive: true, force: true });
        }
        console.log(`vsix test timings: ${timings.join(', ')}`);
    });

    it('holds the bundle, the manifest, the README and the server, nothing else', () => {
        assert.deepEqual(
            [...entries.keys()].sort(),
            ['[Content_Types].xml', 'extension.vsixmanifest', 'extension/dist/extension.js', 'extension/dist/extension.js.map', 'extension/package.json', 'extension/readme.md', `extension/server/${exe}`].sort(),
        );
    });

    it('keeps the server whole and executable (mode 755 in the zip)', () => {
        const server = entries.get(`extension/server/${exe}`);
        assert.ok(server !== undefined);
        assert.equal(server.entry.uncompressedSize, fs.statSync(bin).size);
        if (process.platform !== 'win32') {
            assert.equal(server.mode & 0o777, 0o755, `mode ${server.mode.toString(8)}`);
            assert.equal(fs.statSync(bundled).mode & 0o777, 0o755, 'extracted with its mode');
        }
        assert.equal(sha256(bundled), sha256(bin), 'the extracted server is the packaged binary, byte for byte');
    });

    it(`is the extension's manifest, marked for this machine's target (${target})`, () => {
        const packaged = JSON.parse(fs.readFileSync(path.join(extensionDir, 'package.json'), 'utf8')) as Record<string, unknown>;
        const source = JSON.parse(fs.readFileSync(path.join(EXTENSION_DIR, 'package.json'), 'utf8')) as Record<string, unknown>;
        for (const key of ['name', 'publisher', 'version', 'main', 'contributes']) {
            assert.deepEqual(packaged[key], source[key], key);
        }
        // vsce records the target in the VSIX manifest, which VS Code checks on install.
        const manifest = fs.readFileSync(path.join(tmp, 'installed', 'extension.vsixmanifest'), 'utf8');
        const identity = /<Identity\b[^>]*>/.exec(manifest)?.[0] ?? '';
        assert.match(identity, new RegExp(`TargetPlatform="${target}"`), identity);
        assert.match(identity, new RegExp(`Version="${String(source['version'])}"`), identity);
    });

    it('the server prints the version of server/Cargo.toml', async () => {
        const run = await timed('--version', () => spawnSync(bundled, ['--version'], { encoding: 'utf8', timeout: 30_000 }));
        assert.equal(run.status, 0, run.stderr);
        assert.equal(run.stdout.trim(), `semnav ${crateVersion()}`);
    });

    it('the server answers initialize, semnav/status and shutdown over stdio', async () => {
        const root = path.join(tmp, 'workspace');
        fs.mkdirSync(root);
        fs.writeFileSync(path.join(root, 'greet.py'), 'def greet(name):\n    """Says hello to someone."""\n    return f"hello {name}"\n');
        const indexDir = path.join(tmp, 'index');
        const server = new TestServer(bundled, path.join(tmp, 'server.log'));
        let code: number | null | undefined;
        try {
            await timed('lsp session', async () => {
                const init = await withTimeout(server.initialize(pathToFileURL(root).href, 'workspace', { indexDir }), 30_000, 'initialize');
                assert.equal(init.serverInfo?.name, 'semnav');
                const status = await eventually(
                    () => server.connection.sendRequest(StatusRequest, statusParams()),
                    (s) => s.files === 1,
                    60_000,
                    `semnav/status of ${root} (server log: ${path.join(tmp, 'server.log')})`,
                );
                assert.equal(fs.realpathSync(status.root ?? ''), fs.realpathSync(root));
                assert.ok(status.indexDir?.startsWith(indexDir), `the index is in the temp dir: ${String(status.indexDir)}`);
                assert.ok(status.chunks >= 1, JSON.stringify(status));
                code = await server.stop();
            });
        } finally {
            if (code === undefined) {
                await server.stop();
            }
        }
        assert.equal(code, 0, 'the server exits with 0 after shutdown + exit');
    });

    it('is what the extension runs when semnav.server.path is empty and PATH has no semnav', () => {
        const empty = path.join(tmp, 'empty-path-dir');
        fs.mkdirSync(empty);
        const r = resolveServerBinary({ setting: '', ctx: { home: tmp }, env: { PATH: empty }, extensionDir });
        assert.deepEqual(r, { ok: true, path: bundled, source: 'bundled' });
        // The setting and PATH still come first.
        const onPath = resolveServerBinary({ setting: '', ctx: { home: tmp }, env: { PATH: path.dirname(bin) }, extensionDir });
        assert.ok(onPath.ok && onPath.source === 'PATH' && onPath.path === bin, JSON.stringify(onPath));
    });
});
