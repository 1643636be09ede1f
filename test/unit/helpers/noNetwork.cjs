// Preloaded with `node --require` (and inherited by worker threads through execArgv): every way
// Node code can reach the network throws, and is reported on stderr with a marker the privacy test
// looks for, so an attempt cannot go unnoticed even where the caller swallows the error.
'use strict';
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

const net = require('node:net');
patch(net, ['connect', 'createConnection'], 'net');
net.Socket.prototype.connect = trap('net.Socket.connect');
patch(require('node:tls'), ['connect'], 'tls');
patch(require('node:http'), ['request', 'get'], 'http');
patch(require('node:https'), ['request', 'get'], 'https');
patch(require('node:http2'), ['connect'], 'http2');
const dns = require('node:dns');
patch(dns, ['lookup', 'resolve', 'resolve4', 'resolve6', 'resolveAny'], 'dns');
patch(dns.promises, ['lookup', 'resolve', 'resolve4', 'resolve6', 'resolveAny'], 'dns.promises');
patch(require('node:dgram'), ['createSocket'], 'dgram');
globalThis.fetch = trap('fetch');
if (typeof globalThis.WebSocket === 'function') globalThis.WebSocket = trap('WebSocket');
