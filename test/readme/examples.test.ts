import { describe, expect, it } from 'vitest';
import { curlExamples, missingFromReply, tsExamples } from './examples.js';

describe('README example reading', () => {
  it('finds a reply comment under a command, joined across lines, and an inline one', () => {
    const md =
      '```sh\ncurl -s http://x/a \\\n  -d \'{"a":1}\'\n# {"ok":true,\n#  "id":"…"}\n' +
      'curl -s \'http://x/b\'   # ... "code":"123456" ...\n```\n';
    const [block] = curlExamples(md);
    expect(block).toEqual([
      { line: 2, command: 'curl -s http://x/a  -d \'{"a":1}\'', expected: '{"ok":true,"id":"…"}' },
      { line: 6, command: 'curl -s \'http://x/b\'   # ... "code":"123456" ...', expected: '... "code":"123456" ...' },
    ]);
  });

  it('checks a reply against its documented shape', () => {
    expect(missingFromReply('{"id":"VE…","status":"pending",…}', '{"status":"pending","id":"VE123"}')).toEqual([]);
    expect(missingFromReply('{"id":"VE…"}', '{"id":"XX123"}')).toEqual(['"id":"VE…"']);
    expect(missingFromReply('{"status":"approved"}', '{"status":"pending"}')).toEqual(['"status":"approved"']);
    expect(missingFromReply('{"n":…,"ok":true}', '{"ok":false}')).toEqual(['"n":…', '"ok":true']);
    expect(missingFromReply('{"code":"482913"}', '{"code":"000111"}')).toEqual([]);
  });

  it('classifies TypeScript examples by their first comment', () => {
    const md =
      '```ts\n// a.test.ts (vitest)\nx\n```\n' +
      '```ts\n// Type-checked, not run, by the README test: needs Redis.\n```\n' +
      '```ts\nconst y = 1;\n```\n';
    expect(tsExamples(md).map((e) => [e.mode, e.file ?? e.why])).toEqual([
      ['run', 'a.test.ts'],
      ['typecheck', 'needs Redis.'],
      ['skip', undefined],
    ]);
  });
});
