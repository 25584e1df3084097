import { defineConfig, type Options } from 'tsup';

/** The build of every `@hrnet/*` package: ESM + CJS + types from the given entries (paths under `src/`). */
export function packageBuild(entries: string[], extra: Options = {}) {
  return defineConfig({
    entry: entries.map((e) => `src/${e}.ts`),
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'es2022',
    ...extra,
  });
}
