import type { CodegenConfig } from '@graphql-codegen/cli'

// Operation types come from the committed SDL; `npm run codegen:check` fails when src/graphql/generated is stale.
const config: CodegenConfig = {
  schema: '../schema.graphql',
  documents: ['src/api/**/*.graphql', 'src/h5/api/**/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'src/graphql/generated/': {
      preset: 'client',
      // persisted-documents.json: "sha256:<hex>" -> document, the ids the clients send and the server trusts
      // (backend/core/trusted.py loads it at start); each document's `__meta__.hash` is its id.
      presetConfig: { fragmentMasking: false, persistedDocuments: { hashAlgorithm: 'sha256' } },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        skipTypename: false,
        scalars: { DateTime: 'string', Decimal: 'string', JSON: 'Record<string, unknown>', Upload: 'File' },
      },
    },
  },
}
export default config
