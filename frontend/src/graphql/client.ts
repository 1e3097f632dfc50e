/**
 * The one urql client (the console's and the owner app's): HTTP through the refreshing fetch, subscriptions over
 * graphql-ws with the same token, every operation sent by its trusted id (./persisted.ts), never as text.
 */
import { Client, fetchExchange, subscriptionExchange } from '@urql/vue'
import { persistedExchange } from '@urql/exchange-persisted'
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws'
import { useAuthStore } from '@/stores/auth'
import { createAuthFetch } from './fetch'
import { apolloHash } from './persisted'
import { GRAPHQL_URL } from './raw'

let sessionEnded: (code: string) => void = () => undefined

/** The app sets what happens when the session cannot go on (back to the login page). */
export function onSessionEnded(handler: (code: string) => void): void {
  sessionEnded = handler
}

function wsUrl(): string {
  const { protocol, host } = window.location
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}${GRAPHQL_URL}`
}

let socket: WsClient | null = null
let socketToken: string | null = null

// The socket authenticates once at connection_init, so a new token (sign-in, refresh, company switch) needs a new socket.
function currentSocket(): WsClient {
  const token = useAuthStore().accessToken
  if (socket && socketToken === token) return socket
  void socket?.dispose()
  socketToken = token
  socket = createWsClient({
    url: wsUrl(),
    lazy: true,
    retryAttempts: 5,
    connectionParams: () => (token ? { authorization: `Bearer ${token}` } : {}),
  })
  return socket
}

let client: Client | null = null
let sharedFetch: typeof fetch | null = null

/** The token-adding, refreshing fetch: urql uses it, and so do uploads and file downloads. */
export function authFetch(): typeof fetch {
  if (sharedFetch) return sharedFetch
  const auth = useAuthStore()
  sharedFetch = createAuthFetch({
    getToken: () => auth.accessToken,
    refresh: () => auth.refresh(),
    onSessionEnded: (code) => sessionEnded(code),
  })
  return sharedFetch
}

export function getClient(): Client {
  if (client) return client
  client = new Client({
    url: GRAPHQL_URL,
    requestPolicy: 'network-only',
    preferGetMethod: false,
    fetch: authFetch(),
    exchanges: [
      // Queries, mutations and subscriptions go as `extensions.persistedQuery` with no text; enforced: a miss is an
      // error (PERSISTED_QUERY_NOT_FOUND), never a retry with the text. POST, as before (no GET for queries).
      persistedExchange({
        enforcePersistedQueries: true,
        enableForMutation: true,
        enableForSubscriptions: true,
        preferGetForPersistedQueries: false,
        generateHash: async (_text, document) => apolloHash(document),
      }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({
            // graphql-ws wants a string `query`: empty when the id in `extensions` names the document
            unsubscribe: currentSocket().subscribe({ ...request, query: request.query ?? '' }, sink),
          }),
        }),
      }),
    ],
  })
  return client
}
