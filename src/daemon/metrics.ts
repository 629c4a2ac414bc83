/**
 * Prometheus metrics (prom-client) and the HTTP endpoint serving `/metrics` and `/healthz`.
 * One registry per daemon (not the prom-client global), so that tests can build several.
 */
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Command latency buckets in seconds: from a cached FETCH (100 us) to a slow APPEND of a big message. */
export const LATENCY_BUCKETS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30];
/** Event-loop lag is sampled by prom-client's default collectors at this resolution (ms). */
export const EVENT_LOOP_RESOLUTION_MS = 10;

/** The daemon's metrics. Label values are bounded sets (protocol names, command names, result kinds). */
export class DaemonMetrics {
  readonly registry = new Registry();
  /** Connections accepted, by protocol. */
  readonly connections: Counter<'protocol'>;
  /** Connections open now, by protocol. */
  readonly activeConnections: Gauge<'protocol'>;
  /** Commands completed, by protocol, command name and result (ok, no, bad, err). */
  readonly commands: Counter<'protocol' | 'command' | 'result'>;
  /** Command latency, by protocol and command name. */
  readonly commandDuration: Histogram<'protocol' | 'command'>;
  /** Deliveries per recipient, by channel (lmtp, deliver, import) and result (ok, unknown_user, over_quota, too_big, temp_fail). */
  readonly deliveries: Counter<'channel' | 'result'>;
  /** Authentication failures, by protocol. */
  readonly authFailures: Counter<'protocol'>;
  /** StoreErrors and other store failures, by kind ('internal' for non-StoreError failures). */
  readonly storeErrors: Counter<'kind'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: EVENT_LOOP_RESOLUTION_MS });
    const registers = [this.registry];
    this.connections = new Counter({ name: 'mailroom_connections_total', help: 'Connections accepted', labelNames: ['protocol'], registers });
    this.activeConnections = new Gauge({ name: 'mailroom_connections_active', help: 'Connections open now', labelNames: ['protocol'], registers });
    this.commands = new Counter({
      name: 'mailroom_commands_total',
      help: 'Protocol commands completed',
      labelNames: ['protocol', 'command', 'result'],
      registers,
    });
    this.commandDuration = new Histogram({
      name: 'mailroom_command_duration_seconds',
      help: 'Protocol command latency',
      labelNames: ['protocol', 'command'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.deliveries = new Counter({ name: 'mailroom_deliveries_total', help: 'Message deliveries per recipient', labelNames: ['channel', 'result'], registers });
    this.authFailures = new Counter({ name: 'mailroom_auth_failures_total', help: 'Failed authentications', labelNames: ['protocol'], registers });
    this.storeErrors = new Counter({ name: 'mailroom_store_errors_total', help: 'Store operations that failed', labelNames: ['kind'], registers });
  }
}

/** Health answer of /healthz: 200 "ok" while `healthy()` is true, 503 otherwise (e.g. shutting down). */
export function createMetricsServer(metrics: DaemonMetrics, healthy: () => boolean): Server {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      const ok = healthy();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok\n' : 'shutting down\n');
      return;
    }
    if (path === '/metrics') {
      metrics.registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body),
        (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${String(err)}\n`),
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found; try /metrics or /healthz\n');
  });
  // Scrapers keep connections alive; do not let them hold the process at shutdown.
  server.keepAliveTimeout = 5000;
  return server;
}
