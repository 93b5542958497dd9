// `npm run lint`: ESLint (type-aware typescript-eslint, React hooks rules) and a Prettier check.
import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import { defineConfig, globalIgnores } from "eslint/config";
import globals from "globals";
import tseslint from "typescript-eslint";

export default defineConfig([
  // schema.d.ts is generated from the API's OpenAPI schema (`npm run gen:api`).
  globalIgnores(["dist", "src/api/schema.d.ts"]),
  {
    files: ["**/*.{ts,tsx,js}"],
    extends: [
      js.configs.recommended,
      tseslint.configs.recommendedTypeChecked,
      reactHooks.configs.flat.recommended,
    ],
    languageOptions: {
      globals: globals.browser,
      parserOptions: {
        projectService: { allowDefaultProject: ["eslint.config.js"] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // As TypeScript's noUnusedParameters: a leading underscore marks a parameter kept for its
      // position or type (a mocked fetch's signature).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      // React ignores what an event handler returns; the async handlers catch their own errors.
      "@typescript-eslint/no-misused-promises": [
        "error",
        { checksVoidReturn: { attributes: false } },
      ],
      // useAsync(load, deps) takes its dependency list like useEffect: check its callers too.
      "react-hooks/exhaustive-deps": ["error", { additionalHooks: "^useAsync$" }],
    },
  },
  {
    files: ["eslint.config.js", "vite.config.ts"],
    languageOptions: { globals: globals.node },
  },
]);
