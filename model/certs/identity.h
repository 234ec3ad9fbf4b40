#pragma once

#include "model/certs/privatekey.h"
#include "model/core/result.h"

#include <QList>
#include <QSslCertificate>
#include <QString>

namespace TlsLab::Model {

// A certificate chain (leaf first) and the private key of its leaf: what a listener or a client presents.
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

    // Loads a PEM or DER certificate file (a chain is allowed) and a PEM key (encrypted or not, any key type).
    // Errors name the file and the problem; a key that does not match the certificate is an error.
    static Result<Identity> load(
        const QString &certificatePath, const QString &keyPath, const QByteArray &passphrase = {});
};

} // namespace TlsLab::Model
