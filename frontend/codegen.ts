import type { CodegenConfig } from '@graphql-codegen/cli'

// Operation types come from the committed SDL; `npm run codegen:check` fails when src/graphql/generated is stale.
const config: CodegenConfig = {
  schema: '../schema.graphql',
  documents: ['src/api/**/*.graphql', 'src/h5/api/**/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'src/graphql/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
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
