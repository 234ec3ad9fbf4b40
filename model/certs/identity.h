#pragma once

#include "model/certs/privatekey.h"

#include <QList>
#include <QSslCertificate>
#include <QString>

namespace TlsLab::Model {

// A certificate chain (leaf first) and the private key of its leaf: what a listener or a client presents. A plain
// value; reading one from files is the certificate I/O's job (CertificateIo::loadIdentity / importIdentity).
struct Identity
{
    QList<QSslCertificate> chain;
    PrivateKey key;
    QString certificatePath; // where it was loaded from or written to, when known
    QString keyPath;
    bool isDevelopmentCertificate = false;

    bool isNull() const { return chain.isEmpty() || key.isNull(); }
    QSslCertificate leaf() const { return chain.value(0); }
    // "ECDSA P-256 development certificate", "RSA 2048 certificate CN=example.test"
    QString description() const;
    // SHA-256 of the leaf as AB:CD:...
    QString sha256Fingerprint() const;
};

} // namespace TlsLab::Model
