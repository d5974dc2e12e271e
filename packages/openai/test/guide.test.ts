import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const guidePath = join(here, "../../../docs/guides/openai.md");

/** The guide's ```ts blocks, each compiled as a module of this package (so `@weft/openai` resolves to source). */
function snippets(): Map<string, string> {
  const guide = readFileSync(guidePath, "utf8");
  const blocks = [...guide.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((match) => match[1]!);
  return new Map(blocks.map((code, i) => [join(here, "__guide__", `snippet-${i + 1}.ts`), code]));
}

describe("docs/guides/openai.md", () => {
  it("every TypeScript snippet type-checks against the package", { timeout: 120_000 }, () => {
    const files = snippets();
    expect(files.size).toBeGreaterThan(8);
    const config = ts.getParsedCommandLineOfConfigFile(
      join(here, "../tsconfig.json"),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
          throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
        },
      },
    )!;
    const options = { ...config.options, noEmit: true };
    const host = ts.createCompilerHost(options);
    const { fileExists, readFile, getSourceFile } = host;
    host.fileExists = (name) => files.has(name) || fileExists.call(host, name);
    host.readFile = (name) => files.get(name) ?? readFile.call(host, name);
    host.getSourceFile = (name, language, ...rest) => {
      const code = files.get(name);
      return code === undefined ? getSourceFile.call(host, name, language, ...rest) : ts.createSourceFile(name, code, language);
    };

    const program = ts.createProgram([...files.keys()], options, host);
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file !== undefined && files.has(d.file.fileName))
      .map((d) => {
        const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
        const snippet = d.file!.fileName.replace(/^.*__guide__\//, "");
        return `${snippet}:${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
      });

    expect(problems).toEqual([]);
  });
});
