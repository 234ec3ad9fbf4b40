#pragma once

#include "model/core/result.h"

#include <QByteArray>
#include <QSslCertificate>
#include <QSslKey>
#include <QString>

#include <memory>

typedef struct evp_pkey_st EVP_PKEY;

namespace TlsLab::Model {

// An OpenSSL private key with shared ownership. Unlike QSslKey it reads and writes every key type we generate,
// Ed25519 included, and converts to a QSslKey that Qt's TLS backend accepts.
class PrivateKey
{
public:
    PrivateKey() = default;
    static PrivateKey adopt(EVP_PKEY *key); // takes ownership

    bool isNull() const { return !m_key; }
    EVP_PKEY *handle() const { return m_key.get(); }

    // A QSslKey for QSslConfiguration (an opaque key holding its own reference for Ed25519).
    QSslKey toSslKey() const;
    QString algorithm() const; // "RSA", "EC", "Ed25519"
    int bits() const;
    QString curve() const; // "P-256", "P-384" for EC, empty otherwise
    QString description() const; // "RSA 2048 bits", "ECDSA P-256", "Ed25519"

    // PKCS#8 PEM; encrypted with AES-256-CBC when a passphrase is given.
    QByteArray toPem(const QByteArray &passphrase = {}) const;
    // Reads PEM (PKCS#8, traditional, encrypted) or DER. sourceName names the origin in error messages.
    static Result<PrivateKey> fromData(
        const QByteArray &data, const QByteArray &passphrase = {}, const QString &sourceName = {});
    static Result<PrivateKey> fromFile(const QString &path, const QByteArray &passphrase = {});

    bool matches(const QSslCertificate &certificate) const;

private:
    std::shared_ptr<EVP_PKEY> m_key;
};

} // namespace TlsLab::Model
