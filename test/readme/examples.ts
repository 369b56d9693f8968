/**
 * Reading the README's examples: fenced TypeScript blocks, and the curl commands of the sh blocks with the
 * replies their comments document.
 */

export interface TsExample {
  /** Where the block starts in README.md (1-based), for failure messages. */
  line: number;
  code: string;
  /** `run`: a vitest file run as printed; `typecheck`: compiled against the package, not run; `skip`: neither. */
  mode: 'run' | 'typecheck' | 'skip';
  /** For `run`: the file name its first line gives (`// otp.test.ts (vitest)`). */
  file?: string;
  /** For `typecheck` and `skip`: why it cannot run, as the README says. */
  why?: string;
}

export interface CurlExample {
  line: number;
  command: string;
  /** The documented reply (the `# {...}` comment under the command, or its inline `# ... "k":"v" ...`). */
  expected?: string;
  /** A documented error status (`# HTTP 400 {...}`); without one the reply must be a 2xx. */
  status?: number;
}

const fences = (readme: string, lang: string) => {
  const blocks: { line: number; body: string }[] = [];
  const re = new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\`$`, 'gm');
  for (const m of readme.matchAll(re)) blocks.push({ line: readme.slice(0, m.index).split('\n').length, body: m[1]! });
  return blocks;
};

export function tsExamples(readme: string): TsExample[] {
  return fences(readme, 'ts').map(({ line, body }) => {
    const file = /^\/\/ (\S+\.test\.ts) \(vitest\)/.exec(body)?.[1];
    if (file) return { line, code: body, mode: 'run', file };
    const typecheck = /^\/\/ Type-checked, not run, by the README test: (.+)$/m.exec(body)?.[1];
    if (typecheck) return { line, code: body, mode: 'typecheck', why: typecheck };
    const skip = /^\/\/ Not run by the README test: (.+)$/m.exec(body)?.[1];
    return { line, code: body, mode: 'skip', ...(skip && { why: skip }) };
  });
}

/** The curl commands of every sh block, grouped by block, each with the reply documented under it. */
export function curlExamples(readme: string): CurlExample[][] {
  return fences(readme, 'sh')
    .map(({ line, body }) => {
      const lines = body.split('\n');
      const examples: CurlExample[] = [];
      for (let i = 0; i < lines.length; i++) {
        if (!lines[i]!.startsWith('curl ')) continue;
        const start = i;
        let command = lines[i]!;
        while (command.endsWith('\\')) command = `${command.slice(0, -1)} ${lines[++i]!.trim()}`;
        const inline = /\s#\s(.*)$/.exec(command.replace(/'[^']*'/g, (q) => q.replace(/#/g, '\u0000')));
        let expected = inline?.[1]?.replace(/\u0000/g, '#');
        const replies: string[] = [];
        let status: number | undefined;
        while (lines[i + 1]?.startsWith('# ') && /^#\s+(HTTP \d{3}\s+)?[{"]/.test(lines[i + 1]!)) {
          const reply = lines[++i]!.replace(/^#\s+/, '');
          const documented = /^HTTP (\d{3})\s+/.exec(reply);
          if (documented) status = Number(documented[1]);
          replies.push(reply.replace(/^HTTP \d{3}\s+/, ''));
        }
        if (replies.length) expected = replies.join('');
        examples.push({
          line: line + 1 + start,
          command,
          ...(expected && { expected }),
          ...(status !== undefined && { status }),
        });
      }
      return examples;
    })
    .filter((block) => block.length > 0);
}

/**
 * Checks a reply against its documented shape: every `"key":value` the comment shows must be in the reply.
 * `…` stands for any text (inside a string) or any value; a code (4–10 digits) may be any code, since codes are
 * random. Returns what is missing.
 */
export function missingFromReply(expected: string, reply: string): string[] {
  const missing: string[] = [];
  const pair = /"([\w-]+)":("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|true|false|null|…)/g;
  for (const [whole, key, value] of expected.matchAll(pair)) {
    const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    let pattern: string;
    if (value === '…') pattern = `"${escapeRegExp(key!)}":`;
    else if (/^"\d{4,10}"$/.test(value!)) pattern = `"${escapeRegExp(key!)}":"\\d{4,10}"`;
    else pattern = escapeRegExp(`"${key}":`) + escapeRegExp(value!).replace(/…/g, '[^"]*');
    if (!new RegExp(pattern).test(reply)) missing.push(whole);
  }
  return missing;
}
