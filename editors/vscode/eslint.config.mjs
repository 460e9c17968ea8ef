// Lint with typescript-eslint's type-aware recommended rules (floating promises, unsafe any, ...).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "out/", "out-test/", "node_modules/", "*.mjs", "scripts/"] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // `${workspaceFolder}` in test strings is VS Code's syntax, not a mistaken template.
      "no-template-curly-in-string": "off",
    },
  },
  {
    // node:test's `test()` returns a promise the runner itself tracks.
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-floating-promises": "off" },
  },
);
