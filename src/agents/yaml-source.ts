import { LineCounter, parseDocument, isMap, isScalar, type Document, type Node } from 'yaml';

/** A parsed YAML file that can say on which line a field path sits. */
export interface YamlSource {
  value: unknown;
  /** 1-based line of the value at `path` (or of its key, for keys), if it exists. */
  lineOf(path: readonly (string | number)[], keyLine?: boolean): number | undefined;
}

/** Parse YAML text; syntax errors are returned as `file:line:col: message` strings. */
export function parseYaml(text: string, file: string): { source?: YamlSource; errors: string[] } {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const errors = doc.errors.map((e) => {
      const pos = lineCounter.linePos(e.pos[0]);
      return `${file}:${pos.line}:${pos.col}: invalid YAML: ${e.message.split('\n')[0]}`;
    });
    return { errors };
  }
  const lineOf = (path: readonly (string | number)[], keyLine = false): number | undefined => {
    if (keyLine && path.length > 0) {
      const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
      if (isMap(parent)) {
        const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === path[path.length - 1]);
        const range = (pair?.key as Node | undefined)?.range;
        if (range) return lineCounter.linePos(range[0]).line;
      }
    }
    for (let n = path.length; n >= 0; n--) {
      const node = (n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true)) as Node | null;
      if (node?.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  return { source: { value: doc.toJS() as unknown, lineOf }, errors: [] };
}
