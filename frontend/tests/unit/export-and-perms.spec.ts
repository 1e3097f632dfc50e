import { describe, expect, it } from 'vitest'
import { fileNameOf, withQuery } from '@/graphql/download'
import { allowedAny, routeAllowed } from '@/directives/perms'

describe('export URLs', () => {
  it('sends only the filters that are set, with the list filter names', () => {
    expect(withQuery('/api/export/owners.xlsx', { communityId: 'Q29t', search: '张', phone: '', relation: null, unitNumber: undefined }))
      .toBe('/api/export/owners.xlsx?communityId=Q29t&search=%E5%BC%A0')
    expect(withQuery('/api/export/staffMembers.xlsx', { isActive: false })).toBe('/api/export/staffMembers.xlsx?isActive=false')
    expect(withQuery('/api/export/units.xlsx', {})).toBe('/api/export/units.xlsx')
  })

  it('takes the file name from Content-Disposition', () => {
    expect(fileNameOf('attachment; filename="owners-20261122-030000.xlsx"', 'x.xlsx')).toBe('owners-20261122-030000.xlsx')
    expect(fileNameOf("attachment; filename*=UTF-8''%E4%B8%9A%E4%B8%BB.xlsx", 'x.xlsx')).toBe('业主.xlsx')
    expect(fileNameOf(null, 'x.xlsx')).toBe('x.xlsx')
  })
})

describe('any-of permissions', () => {
  const held = new Set(['BINDING_REVIEW'])
  it('lets a caller holding one of them in', () => {
    expect(allowedAny(['UNIT_WRITE', 'BINDING_REVIEW'], held)).toBe(true)
    expect(allowedAny(['UNIT_WRITE', 'COMMUNITY_WRITE'], held)).toBe(false)
    expect(routeAllowed({ anyPerms: ['UNIT_WRITE', 'BINDING_REVIEW'] }, held)).toBe(true)
    expect(routeAllowed({ perms: ['AUDIT_READ'], anyPerms: ['BINDING_REVIEW'] }, held)).toBe(false)
    expect(routeAllowed(undefined, held)).toBe(true)
  })
})
