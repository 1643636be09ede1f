// Preloaded with `node --import` (and inherited by worker threads through execArgv): every way
// Node code can reach the network throws, and is reported on stderr with a marker the privacy test
// looks for, so an attempt cannot go unnoticed even where the caller swallows the error. The
// modules' default exports are the objects CommonJS callers get from require(), so patching them
// here reaches the bundles too.
import dgram from 'node:dgram';
import dns from 'node:dns';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';

const MARKER = 'DIFFUSE-NETWORK-ATTEMPT';

function trap(name) {
  return function blocked() {
    process.stderr.write(`${MARKER} ${name}\n`);
    throw new Error(`network access is not allowed in this run (${name})`);
  };
}

function patch(object, names, prefix) {
  for (const name of names) {
    if (typeof object[name] === 'function') object[name] = trap(`${prefix}.${name}`);
  }
}

patch(net, ['connect', 'createConnection'], 'net');
net.Socket.prototype.connect = trap('net.Socket.connect');
patch(tls, ['connect'], 'tls');
patch(http, ['request', 'get'], 'http');
patch(https, ['request', 'get'], 'https');
patch(http2, ['connect'], 'http2');
patch(dns, ['lookup', 'resolve', 'resolve4', 'resolve6', 'resolveAny'], 'dns');
patch(dns.promises, ['lookup', 'resolve', 'resolve4', 'resolve6', 'resolveAny'], 'dns.promises');
patch(dgram, ['createSocket'], 'dgram');
globalThis.fetch = trap('fetch');
if (typeof globalThis.WebSocket === 'function') globalThis.WebSocket = trap('WebSocket');
