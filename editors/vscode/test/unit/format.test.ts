import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';

import { displayPath, formatBytes, formatLines, formatScore, hitsToItems, hitTitle, hitToItem, kindIcon, lineSpan, previewLine } from '../../src/core/format';
import type { Hit } from '../../src/core/protocol';

const root = '/work/proj';
const uri = (p: string): string => pathToFileURL(p).href;

function hit(over: Partial<Hit> = {}): Hit {
    return {
        uri: uri('/work/proj/src/config.rs'),
        range: { start: { line: 11, character: 0 }, end: { line: 40, character: 0 } },
        score: 0.7142,
        kind: 'function',
        name: 'load_config',
        language: 'rust',
        preview: 'pub fn load_config(path: &Path) -> Result<Config> {',
        ...over,
    };
}

describe('QuickPick items', () => {
    it('show name, kind, path:lines and score, with the preview as detail', () => {
        const item = hitToItem(hit(), [root]);
        assert.equal(item.label, '$(symbol-function) load_config');
        assert.equal(item.description, 'function · src/config.rs:12-40 · 0.71');
        assert.equal(item.detail, 'pub fn load_config(path: &Path) -> Result<Config> {');
        assert.equal(item.alwaysShow, true);
        assert.equal(item.hit.name, 'load_config');
    });

    it('name methods with their container', () => {
        assert.equal(hitTitle(hit({ name: 'load', container: 'Config', kind: 'method' })), 'Config::load');
    });

    it('title unnamed chunks by their preview', () => {
        assert.equal(hitTitle(hit({ name: undefined as unknown as string, preview: '\n  use std::fs;\nuse x;' })), 'use std::fs;');
        const { name: _n, ...noName } = hit();
        assert.equal(hitToItem({ ...noName, kind: 'block', preview: '' }, [root]).label, '$(symbol-snippet) (unnamed)');
    });

    it('keep the server order and drop duplicate ranges', () => {
        const items = hitsToItems([hit({ score: 0.9 }), hit({ score: 0.8 }), hit({ name: 'other', range: { start: { line: 1, character: 0 }, end: { line: 3, character: 0 } } })], [root]);
        assert.deepEqual(items.map((i) => i.hit.score), [0.9, 0.7142]);
    });
});

describe('paths and lines', () => {
    it('show paths relative to the deepest root; prefixed with its name when there are several', () => {
        assert.equal(displayPath(uri('/work/proj/src/a.rs'), [root]), 'src/a.rs');
        assert.equal(displayPath(uri('/work/proj/sub/b.rs'), ['/work/proj', '/work/proj/sub']), 'sub/b.rs');
        assert.equal(displayPath(uri('/work/proj/src/a.rs'), ['/work/proj', '/other']), 'proj/src/a.rs');
        assert.equal(displayPath(uri('/elsewhere/c.rs'), [root]), '/elsewhere/c.rs');
        assert.equal(displayPath('untitled:Untitled-1', [root]), 'untitled:Untitled-1');
        assert.equal(displayPath(uri('/work/proj2/x.rs'), [root]), '/work/proj2/x.rs');
    });

    it('decode URIs', () => {
        assert.equal(displayPath(uri('/work/proj/a b/ü.rs'), [root]), 'a b/ü.rs');
    });

    it('turn whole-line ranges into 1-based inclusive lines', () => {
        assert.deepEqual(lineSpan({ start: { line: 3, character: 0 }, end: { line: 13, character: 0 } }), { first: 4, last: 13 });
        assert.equal(formatLines({ start: { line: 3, character: 0 }, end: { line: 4, character: 0 } }), '4');
        assert.equal(formatLines({ start: { line: 3, character: 2 }, end: { line: 5, character: 7 } }), '4-6');
    });
});

describe('small formats', () => {
    it('scores, icons, previews and sizes', () => {
        assert.equal(formatScore(0.5), '0.50');
        assert.equal(formatScore(Number.NaN), '?');
        assert.equal(kindIcon('Struct'), 'symbol-struct');
        assert.equal(kindIcon('weird'), 'symbol-misc');
        assert.equal(previewLine('x'.repeat(300), 10), `${'x'.repeat(9)}…`);
        assert.equal(formatBytes(512), '512 B');
        assert.equal(formatBytes(1536), '1.5 KB');
        assert.equal(formatBytes(50 * 1024 * 1024), '50 MB');
        assert.equal(formatBytes(-1), '?');
    });
});
