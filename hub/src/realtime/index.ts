export { createRealtime, type Realtime, type RealtimeOptions, type RealtimeCredentials, type RealtimeSession, type RealtimeStats } from './server.ts';
export { scopeRooms, seesDevice, seesTicket } from './rooms.ts';
export { attachRealtime, liveTicket } from './wire.ts';
