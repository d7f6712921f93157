import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
    configurationChange,
    DEFAULT_SETTINGS,
    didChangeConfigurationParams,
    expandPath,
    readSettings,
    SETTING_KEYS,
    toInitializationOptions,
    type ExtensionSettings,
    type PathContext,
} from '../../src/core/settings';

const ctx: PathContext = { home: '/home/u', workspaceFolder: '/work/proj' };

function getter(values: Record<string, unknown>): (key: string) => unknown {
    return (key) => values[key];
}

describe('readSettings', () => {
    it('uses the defaults when nothing is set', () => {
        assert.deepEqual(readSettings(getter({})), DEFAULT_SETTINGS);
    });

    it('reads every semnav.* key', () => {
        const s = readSettings(
            getter({
                'server.path': ' /opt/semnav ',
                model: 'all-MiniLM-L6-v2-int8',
                modelDir: '~/models',
                indexDir: 'idx',
                exclude: ['gen/**', '', 3, ' vendor/** '],
                maxFileBytes: 5000,
                'hover.enabled': false,
                'codeLens.enabled': false,
                debounceMs: 50,
            }),
        );
        assert.deepEqual(s, {
            serverPath: '/opt/semnav',
            model: 'all-MiniLM-L6-v2-int8',
            modelDir: '~/models',
            indexDir: 'idx',
            exclude: ['gen/**', 'vendor/**'],
            maxFileBytes: 5000,
            hover: false,
            codeLens: false,
            debounceMs: 50,
        });
    });

    it('falls back to defaults for ill-typed values and clamps the debounce', () => {
        const s = readSettings(getter({ 'hover.enabled': 'no', debounceMs: -5, maxFileBytes: 'big', exclude: 'x' }));
        assert.equal(s.hover, true);
        assert.equal(s.debounceMs, 300);
        assert.equal(s.maxFileBytes, 0);
        assert.deepEqual(s.exclude, []);
        assert.equal(readSettings(getter({ debounceMs: 10_000_000 })).debounceMs, 60_000);
    });

    it('has a setting key for every field', () => {
        assert.deepEqual(Object.keys(SETTING_KEYS).sort(), Object.keys(DEFAULT_SETTINGS).sort());
    });
});

describe('expandPath', () => {
    it('expands ~, ${userHome} and ${workspaceFolder}', () => {
        assert.equal(expandPath('~', ctx), '/home/u');
        assert.equal(expandPath('~/bin/semnav', ctx), '/home/u/bin/semnav');
        assert.equal(expandPath('${userHome}/x', ctx), '/home/u/x');
        assert.equal(expandPath('${workspaceFolder}/target/release/semnav', ctx), '/work/proj/target/release/semnav');
    });

    it('takes relative paths from the workspace folder', () => {
        assert.equal(expandPath('target/debug/semnav', ctx), '/work/proj/target/debug/semnav');
        assert.equal(expandPath('rel', { home: '/h' }), 'rel');
    });

    it('keeps empty empty', () => {
        assert.equal(expandPath('   ', ctx), '');
    });
});

describe('toInitializationOptions', () => {
    it('sends the contract keys, leaving out what is not set', () => {
        assert.deepEqual(toInitializationOptions(DEFAULT_SETTINGS as ExtensionSettings, ctx), {
            exclude: [],
            hover: true,
            codeLens: true,
            debounceMs: 300,
        });
    });

    it('maps every setting to its contract key with paths expanded', () => {
        const s: ExtensionSettings = {
            serverPath: '/bin/semnav',
            model: 'm',
            modelDir: '~/m',
            indexDir: '.semnav',
            exclude: ['a/**'],
            maxFileBytes: 10,
            hover: false,
            codeLens: false,
            debounceMs: 0,
        };
        const opts = toInitializationOptions(s, ctx);
        assert.deepEqual(opts, {
            model: 'm',
            modelDir: '/home/u/m',
            indexDir: '/work/proj/.semnav',
            exclude: ['a/**'],
            maxFileBytes: 10,
            hover: false,
            codeLens: false,
            debounceMs: 0,
        });
        // Only keys of the contract, never the extension's own (server.path).
        const contract = ['model', 'modelDir', 'indexDir', 'exclude', 'maxFileBytes', 'hover', 'codeLens', 'debounceMs'];
        assert.ok(Object.keys(opts).every((k) => contract.includes(k)));
    });

    it('wraps didChangeConfiguration under the semnav key', () => {
        assert.deepEqual(didChangeConfigurationParams({ hover: false }), { settings: { semnav: { hover: false } } });
    });
});

describe('configurationChange', () => {
    const base: ExtensionSettings = { ...DEFAULT_SETTINGS, exclude: [] };

    it('does nothing when nothing changed', () => {
        assert.deepEqual(configurationChange(base, { ...base, exclude: [] }, ctx), {});
    });

    it('notifies with the whole configuration when a value changes', () => {
        const change = configurationChange(base, { ...base, codeLens: false, exclude: ['x/**'] }, ctx);
        assert.deepEqual(change, { notify: { exclude: ['x/**'], hover: true, codeLens: false, debounceMs: 300 } });
    });

    it('notifies when a path is set', () => {
        assert.deepEqual(configurationChange(base, { ...base, modelDir: '/m' }, ctx).notify?.modelDir, '/m');
    });

    it('restarts when a set value is cleared (the server cannot unset a key)', () => {
        const change = configurationChange({ ...base, modelDir: '/m' }, base, ctx);
        assert.equal(change.notify, undefined);
        assert.match(change.restart ?? '', /semnav\.modelDir/);
    });

    it('restarts when the server path changes', () => {
        assert.match(configurationChange(base, { ...base, serverPath: '/x' }, ctx).restart ?? '', /server\.path/);
    });
});
