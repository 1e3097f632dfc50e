import type { vPerms } from './perms'
declare module 'vue' {
  interface GlobalDirectives {
    vPerms: typeof vPerms
  }
}
export {}
