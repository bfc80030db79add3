import fs from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';

/** PEM material for the sandbox's own certificate authority and a loopback server certificate it signed. */
export interface SandboxTls {
  caCertPath: string;
  caCertPem: string;
  serverCertPem: string;
  serverKeyPem: string;
}

const CA_CERT = 'ca.pem';
const CA_KEY = 'ca-key.pem';
const SERVER_CERT = 'server.pem';
const SERVER_KEY = 'server-key.pem';

function serial(): string {
  return forge.util.bytesToHex(forge.random.getBytesSync(16)).replace(/^[89a-f]/, '1');
}

function validFor(cert: forge.pki.Certificate, days: number): void {
  cert.validity.notBefore = new Date(Date.now() - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(Date.now() + days * 24 * 60 * 60 * 1000);
}

function createAuthority(): { certPem: string; keyPem: string } {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  validFor(cert, 3650);
  const subject = [{ name: 'commonName', value: 'Partner Access Bot sandbox CA' }, { name: 'organizationName', value: 'Sandbox' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}

function createLoopbackServerCert(caCertPem: string, caKeyPem: string): { certPem: string; keyPem: string } {
  const caCert = forge.pki.certificateFromPem(caCertPem);
  const caKey = forge.pki.privateKeyFromPem(caKeyPem);
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  validFor(cert, 825);
  cert.setSubject([{ name: 'commonName', value: 'localhost' }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}

function readIfPresent(file: string): string | undefined {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
}

/**
 * Loads the sandbox CA and loopback certificate from `dir`, creating them on first use. The CA is kept so that a process
 * started with NODE_EXTRA_CA_CERTS pointing at it keeps trusting the sandbox across restarts.
 */
export function ensureSandboxTls(dir: string): SandboxTls {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const caCertPath = path.join(dir, CA_CERT);
  let caCertPem = readIfPresent(caCertPath);
  let caKeyPem = readIfPresent(path.join(dir, CA_KEY));
  if (!caCertPem || !caKeyPem) {
    const ca = createAuthority();
    caCertPem = ca.certPem;
    caKeyPem = ca.keyPem;
    fs.writeFileSync(path.join(dir, CA_KEY), caKeyPem, { mode: 0o600 });
    fs.writeFileSync(caCertPath, caCertPem);
    fs.rmSync(path.join(dir, SERVER_CERT), { force: true });
  }
  let serverCertPem = readIfPresent(path.join(dir, SERVER_CERT));
  let serverKeyPem = readIfPresent(path.join(dir, SERVER_KEY));
  if (!serverCertPem || !serverKeyPem || forge.pki.certificateFromPem(serverCertPem).validity.notAfter < new Date()) {
    const server = createLoopbackServerCert(caCertPem, caKeyPem);
    serverCertPem = server.certPem;
    serverKeyPem = server.keyPem;
    fs.writeFileSync(path.join(dir, SERVER_KEY), serverKeyPem, { mode: 0o600 });
    fs.writeFileSync(path.join(dir, SERVER_CERT), serverCertPem);
  }
  return { caCertPath, caCertPem, serverCertPem, serverKeyPem };
}

if (require.main === module) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: tsx sandbox/tls.ts <directory>');
    process.exit(2);
  }
  console.log(ensureSandboxTls(dir).caCertPath);
}
