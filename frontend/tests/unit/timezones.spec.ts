import { describe, expect, it } from 'vitest'
import { COMMON_ZONES, zoneMatches, zoneOptions } from '@/components/timezones'

describe('time zone choices', () => {
  it('lists the common zones first, in order, then every other zone', () => {
    const options = zoneOptions('zh-CN')
    expect(options.slice(0, 5).map((o) => o.zone)).toEqual(['Asia/Shanghai', 'Asia/Hong_Kong', 'Asia/Taipei', 'Asia/Macau', 'Asia/Singapore'])
    expect(options.filter((o) => o.common)).toHaveLength(COMMON_ZONES.length)
    expect(options.length).toBeGreaterThan(300)
    expect(new Set(options.map((o) => o.zone)).size).toBe(options.length)
    expect(options.find((o) => o.zone === 'Asia/Shanghai')?.offset).toBe('UTC+08:00')
  })

  it('finds a zone by the city or country people type', () => {
    const options = zoneOptions('en')
    const found = (text: string): string[] => options.filter((o) => zoneMatches(o, text)).map((o) => o.zone)
    expect(found('Beijing')).toEqual(['Asia/Shanghai'])
    expect(found('北京')).toEqual(['Asia/Shanghai'])
    expect(found('hong kong')[0]).toBe('Asia/Hong_Kong')
    expect(found('Berlin')).toContain('Europe/Berlin')
    expect(found('no such place')).toEqual([])
  })
})
