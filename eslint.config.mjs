// typescript-eslint's recommended rules over every TypeScript file; formatting is prettier's.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";

export default tseslint.config(
    { ignores: ["node_modules/**", "results/**", ".stryker-tmp/**", "reports/**", "studies/**"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    prettier,
    {
        rules: {
            // A leading underscore marks what is there on purpose: a parameter an interface requires, a key left out of a copy.
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_", ignoreRestSiblings: true }],
        },
    },
);
