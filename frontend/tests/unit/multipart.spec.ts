import { describe, expect, it } from 'vitest'
import { buildMultipart, CSRF_HEADER, extractFiles } from '@/graphql/multipart'

const QUERY = 'mutation ImportPreview($kind: ImportKind!, $file: Upload!) { importPreview(kind: $kind, file: $file) { job { id } } }'

const parts = (body: FormData) => [...body.keys()]

describe('multipart request builder', () => {
  it('sends operations, map and the file, in that order, with the file variable set to null', async () => {
    const file = new File(['PK\x03\x04'], 'owners.xlsx', { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' })
    const { body } = buildMultipart({ query: QUERY, operationName: 'ImportPreview', variables: { kind: 'OWNERS', file } })

    expect(parts(body)).toEqual(['operations', 'map', '0'])
    expect(JSON.parse(body.get('operations') as string)).toEqual({
      query: QUERY,
      operationName: 'ImportPreview',
      variables: { kind: 'OWNERS', file: null },
    })
    expect(JSON.parse(body.get('map') as string)).toEqual({ 0: ['variables.file'] })
    const sent = body.get('0') as File
    expect(sent).toBeInstanceOf(File)
    expect(sent.name).toBe('owners.xlsx')
    expect(await sent.text()).toBe('PK\x03\x04')
  })

  it('carries the CSRF header the server demands and leaves content-type to the browser', () => {
    const { headers } = buildMultipart({ query: QUERY, variables: { kind: 'UNITS', file: new File(['x'], 'a.xlsx') } })
    expect(CSRF_HEADER).toBe('x-courtyard-csrf')
    expect(headers[CSRF_HEADER]).toBe('1')
    expect(Object.keys(headers).map((h) => h.toLowerCase())).not.toContain('content-type')
  })

  it('finds files nested in inputs and lists, and maps one file used twice to both paths', () => {
    const a = new File(['a'], 'a.xlsx')
    const b = new Blob(['b'])
    const { clone, files } = extractFiles({ input: { files: [a, b], note: 'x' }, again: a, n: 3 })
    expect(clone).toEqual({ input: { files: [null, null], note: 'x' }, again: null, n: 3 })
    expect(files.get(a)).toEqual(['variables.input.files.0', 'variables.again'])
    expect(files.get(b)).toEqual(['variables.input.files.1'])

    const { body } = buildMultipart({ query: 'mutation M { m }', variables: { input: { files: [a, b] }, again: a } })
    expect(JSON.parse(body.get('map') as string)).toEqual({ 0: ['variables.input.files.0', 'variables.again'], 1: ['variables.input.files.1'] })
    expect(parts(body)).toEqual(['operations', 'map', '0', '1'])
  })

  it('leaves out operationName when there is none and sends an empty map without files', () => {
    const { body } = buildMultipart({ query: '{ a }', variables: {} })
    expect(JSON.parse(body.get('operations') as string)).toEqual({ query: '{ a }', variables: {} })
    expect(body.get('map')).toBe('{}')
  })
})
