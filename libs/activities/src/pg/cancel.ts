import { connect } from 'node:net';

/**
 * Sends PostgreSQL's CancelRequest for a backend. It needs no login, works the same on
 * PostgreSQL, RDS and Redshift, and reaches a backend that is busy streaming COPY data.
 */
export function sendCancelRequest(host: string, port: number, processID: number, secretKey: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.setTimeout(10_000, () => socket.destroy(new Error('cancel request timed out')));
    socket.once('error', reject);
    socket.once('connect', () => {
      const msg = Buffer.alloc(16);
      msg.writeInt32BE(16, 0);
      msg.writeInt32BE(80877102, 4);
      msg.writeInt32BE(processID, 8);
      msg.writeInt32BE(secretKey, 12);
      socket.end(msg);
    });
    socket.once('close', () => resolve());
  });
}
