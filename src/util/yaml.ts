/**
 * YAML parsing, loaded only when a file is actually read (the parser costs start-up time).
 * @module
 */

/** Parses YAML text; throws the parser's error for invalid YAML. */
export async function parseYaml(text: string): Promise<unknown> {
  const yaml = (await import('yaml')) as typeof import('yaml') & { default?: typeof import('yaml') };
  // Bundled, yaml's CommonJS build arrives with its exports under `default`.
  return (yaml.parse ?? yaml.default!.parse)(text);
}
